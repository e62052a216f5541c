// The organiser side's islands: events, cancellations, campaigns.
export {};

// The merchant side's islands: the till, the dashboard, sign-in.
export {};

// The merchant side's islands: sign-in and the account forms, the till
// (and pairing a till device), the dashboard (and the return from payments
// onboarding), applying to sell, and the admin page. Each page is a shell
// rendered by the server, marked data-side; the island that matches it
// talks to the JSON API. Module scripts run once the document is parsed.
import { initAccount } from "./merchant_account";
import { initAdmin } from "./merchant_admin";
import { initDashboard } from "./merchant_dashboard";
import { initPayments } from "./merchant_payments";
import { initPage } from "./merchant_page";
import { initNews } from "./merchant_news";
import { initPair, initTill } from "./till";

const scope = document.querySelector<HTMLElement>("[data-side]");
const islands: Record<string, (el: HTMLElement) => void> = {
  signin: initAccount,
  forgot: initAccount,
  reset: initAccount,
  invite: initAccount,
  apply: initAccount,
  till: initTill,
  pair: initPair,
  dashboard: initDashboard,
  payments: initPayments,
  page: initPage,
  news: initNews,
  admin: initAdmin,
};
if (scope && typeof fetch === "function") islands[scope.dataset.side || ""]?.(scope);

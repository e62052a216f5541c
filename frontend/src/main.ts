// Solidaire's islands. Every page works without this script: it only adds
// the phone's share sheet, a copy button, results that update as one types
// or picks a filter, and the service worker. Module scripts run once the
// document is parsed, so the elements below are there.
import { initFilters } from "./filters";
import { initShare } from "./share";
import { registerServiceWorker } from "./sw";

initShare(document);
initFilters(document);
registerServiceWorker();

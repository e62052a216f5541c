// Solidaire's islands. Every page works without this script: it only adds
// the phone's share sheet, a copy button, results that update as one types
// or picks a filter, a purchase form that answers without a page load, an
// order page that follows its payment, a print button, the phone's time
// zone for the days typed in forms, and the service worker. Module scripts
// run once the document is parsed, so the elements below are there.
import { initBuy } from "./buy";
import { initFilters } from "./filters";
import { initOrder, initPrint } from "./order";
import { initProgramme } from "./programme";
import { initShare } from "./share";
import { initSpaces } from "./spaces";
import { registerServiceWorker } from "./sw";
import { initZone } from "./zone";

initZone(document);
initSpaces(document);
initShare(document);
initFilters(document);
initBuy(document);
initProgramme(document);
initOrder(document);
initPrint(document);
registerServiceWorker();

// The support island, on a paid order's confirmation (templates/support.html):
// the share card follows the first name typed (never sent anywhere but in
// the card's own address, and never stored), the phone's share sheet shares
// the card itself where it can take files, a copy button copies the link,
// and the profile-picture frame is drawn over a photo the buyer picks, on
// a canvas: the photo never leaves the phone.
//
// Its own bundle (support.js), loaded by the confirmation only. The order
// island announces "solidaire:order-settled" when a payment confirmed
// while the page was open brings the section in.

const side = 1080;

function initSupport(root: Document): void {
  const box = root.querySelector<HTMLElement>("section[data-support]:not([data-support-ready])");
  if (!box) return;
  box.dataset.supportReady = "";
  const d = box.dataset;
  const q = <T extends Element>(sel: string) => box.querySelector<T>(sel);
  let name = "";
  const cardURL = () => (d.card || "") + (name ? "?" + new URLSearchParams({ nom: name }).toString() : "");

  // The card follows the name typed.
  const form = q<HTMLFormElement>("form[data-support-name]");
  const input = q<HTMLInputElement>("#soutien-nom");
  const card = q<HTMLImageElement>("img[data-support-card]");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    name = (input?.value || "").trim().slice(0, 24);
    if (card) card.src = cardURL();
    for (const a of box.querySelectorAll<HTMLAnchorElement>("a[data-support-download]")) {
      const u = new URL(a.href, location.href);
      if (name) u.searchParams.set("nom", name);
      else u.searchParams.delete("nom");
      a.href = u.pathname + u.search;
    }
  });

  // The phone's share sheet: the card as a file where it can take one,
  // else the link.
  const native = q<HTMLElement>("[data-support-native]");
  const text = d.text || "";
  const url = d.url || location.href;
  if (native && typeof navigator.share === "function") {
    native.hidden = false;
    native.querySelector("button")?.addEventListener("click", async () => {
      let data: ShareData = { title: d.title, text, url };
      try {
        const res = await fetch(cardURL());
        if (res.ok) {
          const file = new File([await res.blob()], (d.file || "soutien") + ".png", { type: "image/png" });
          if (navigator.canShare?.({ files: [file] })) data = { files: [file], title: d.title, text: text + " " + url };
        }
      } catch {
        // No card: the link alone.
      }
      navigator.share(data).catch(() => undefined); // closing the sheet is no failure
    });
  }

  // Copy the link, announced in the live region.
  const copy = q<HTMLButtonElement>("[data-support-copy]");
  const link = q<HTMLInputElement>("[data-support-input]");
  const status = q<HTMLElement>("[data-support-status]");
  if (copy && link) {
    copy.hidden = false;
    copy.addEventListener("click", async () => {
      if (status) status.textContent = "";
      try {
        await navigator.clipboard.writeText(link.value);
        if (status) status.textContent = d.copied || "";
      } catch {
        link.focus();
        link.select();
        if (status) status.textContent = d.copyFailed || "";
      }
    });
    link.addEventListener("focus", () => link.select());
  }

  initFrame(box);
}

// initFrame shows the frame's photo picker where the browser can draw it.
function initFrame(box: HTMLElement): void {
  const d = box.dataset;
  const panel = box.querySelector<HTMLElement>("[data-support-frame]");
  const photo = box.querySelector<HTMLInputElement>("[data-support-photo]");
  const canvas = box.querySelector<HTMLCanvasElement>("canvas[data-support-canvas]");
  const save = box.querySelector<HTMLButtonElement>("[data-support-save]");
  const status = box.querySelector<HTMLElement>("[data-support-frame-status]");
  const ctx = canvas?.getContext("2d");
  if (!panel || !photo || !canvas || !save || !ctx || typeof createImageBitmap !== "function") return;
  panel.hidden = false;
  box.querySelector<HTMLElement>("[data-support-nojs]")?.setAttribute("hidden", "");

  // The frame is the server's transparent PNG, fetched once.
  let frame: Promise<ImageBitmap> | undefined;
  const loadFrame = () => (frame ??= fetch(d.frame || "").then((r) => (r.ok ? r.blob() : Promise.reject(r.status))).then((b) => createImageBitmap(b)));

  photo.addEventListener("change", async () => {
    const file = photo.files?.[0];
    if (!file) return;
    if (status) status.textContent = "";
    try {
      // createImageBitmap reads the file without an <img>, whose blob:
      // address the page's policy would refuse.
      const [img, overlay] = await Promise.all([createImageBitmap(file), loadFrame()]);
      // The photo fills the square, cropped to its middle.
      const scale = Math.max(side / img.width, side / img.height);
      const w = img.width * scale;
      const h = img.height * scale;
      ctx.clearRect(0, 0, side, side);
      ctx.save();
      ctx.beginPath();
      ctx.arc(side / 2, side / 2, side / 2, 0, Math.PI * 2);
      ctx.clip();
      ctx.drawImage(img, (side - w) / 2, (side - h) / 2, w, h);
      ctx.restore();
      ctx.drawImage(overlay, 0, 0, side, side);
      img.close();
      canvas.hidden = false;
      save.hidden = false;
      if (status) status.textContent = d.ready || "";
    } catch {
      canvas.hidden = true;
      save.hidden = true;
      if (status) status.textContent = d.error || "";
    }
  });

  save.addEventListener("click", () => {
    canvas.toBlob((blob) => {
      if (!blob) return;
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = (d.file || "soutien") + "-photo.png";
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    }, "image/png");
  });
}

initSupport(document);
document.addEventListener("solidaire:order-settled", () => initSupport(document));

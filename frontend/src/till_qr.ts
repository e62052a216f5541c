// The till's QR decoder, for browsers without a BarcodeDetector (Firefox,
// Safari, Chromium on Linux and Windows). It is bundled apart, as
// dist/till-qr.js, and loaded by the till's camera the first time it is
// needed: the decoder (the qr package's, written for live camera frames)
// weighs more than every other island together.
import { decodeQR } from "qr/decode.js";

// decode returns the text of the QR code in a camera frame, or null when
// there is none it can read.
export function decode(img: ImageData): string | null {
  try {
    return decodeQR({ width: img.width, height: img.height, data: img.data }) || null;
  } catch {
    return null;
  }
}

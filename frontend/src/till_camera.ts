// The till's camera: it shows the back camera's picture and reads the
// first QR code that comes into view, with the browser's BarcodeDetector
// where there is one (Android, ChromeOS, macOS) and otherwise with a small
// decoder (src/till_qr.ts, bundled apart as dist/till-qr.js) that is loaded
// the first time it is needed, so that no other page pays for it.

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface DetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats?(): Promise<string[]>;
}
type Decode = (img: ImageData) => string | null;

// Frames are read a few times a second: enough to feel instant, without
// heating a phone that stays on the counter all day.
const interval = 120;
// Frames are scaled down to this width before decoding: a QR code held in
// front of the camera has modules of several pixels even then.
const maxWidth = 720;

export class Camera {
  private stream: MediaStream | null = null;
  private timer = 0;
  private detector: Detector | null = null;
  private decode: Decode | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private running = false;

  constructor(
    private video: HTMLVideoElement,
    private decoderURL: string,
    private onCode: (text: string) => void,
  ) {}

  available(): boolean {
    return typeof navigator.mediaDevices?.getUserMedia === "function";
  }

  // start opens the back camera and reads frames until a code is read or
  // stop is called.
  async start(): Promise<"ok" | "denied" | "none"> {
    if (!this.available()) return "none";
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (err) {
      const name = (err as DOMException)?.name;
      return name === "NotAllowedError" || name === "SecurityError" ? "denied" : "none";
    }
    this.video.srcObject = this.stream;
    try {
      await this.video.play();
    } catch {
      // Muted inline video may play without a gesture; if not, frames
      // still arrive once it does.
    }
    if (!(await this.prepare())) {
      this.stop();
      return "none";
    }
    this.running = true;
    this.tick();
    return "ok";
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  // prepare picks the reader: the browser's own, or the decoder.
  private async prepare(): Promise<boolean> {
    if (this.detector || this.decode) return true;
    const BD = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
    if (BD) {
      try {
        const formats = (await BD.getSupportedFormats?.()) || ["qr_code"];
        if (formats.includes("qr_code")) {
          this.detector = new BD({ formats: ["qr_code"] });
          return true;
        }
      } catch {
        // Fall back to the decoder.
      }
    }
    if (!this.decoderURL) return false;
    try {
      const mod = await import(/* @vite-ignore */ this.decoderURL);
      this.decode = mod.decode as Decode;
      return true;
    } catch {
      return false;
    }
  }

  private tick = async (): Promise<void> => {
    if (!this.running) return;
    let text: string | null = null;
    try {
      text = await this.read();
    } catch {
      text = null;
    }
    if (!this.running) return;
    if (text) {
      this.onCode(text);
      return;
    }
    this.timer = window.setTimeout(this.tick, interval);
  };

  private async read(): Promise<string | null> {
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) return null;
    if (this.detector) {
      const found = await this.detector.detect(v);
      return found[0]?.rawValue || null;
    }
    const scale = Math.min(1, maxWidth / v.videoWidth);
    const w = Math.round(v.videoWidth * scale);
    const h = Math.round(v.videoHeight * scale);
    const c = (this.canvas ??= document.createElement("canvas"));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext("2d", { willReadFrequently: true });
    if (!ctx || !this.decode) return null;
    ctx.drawImage(v, 0, 0, w, h);
    return this.decode(ctx.getImageData(0, 0, w, h));
  }
}

// The media of the page's test call (quality.ts): generated here, never a camera or a microphone.

/**
 * A video track of coarse noise (8×8-pixel cells, new every frame) and an oscillator audio track;
 * `stop()` releases them. Coarse noise is hard enough to compress that the encoder spends up to its
 * cap, yet scales with the quantiser, so the encoder can also meet a low estimate (fine per-pixel
 * noise cannot be squeezed: the encoder then drops frames and overshoots instead).
 */
export function makeMedia(): { video: MediaStreamTrack; audio: MediaStreamTrack | null; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const g = canvas.getContext('2d')!;
  const cells = document.createElement('canvas');
  cells.width = 160;
  cells.height = 90;
  const cg = cells.getContext('2d')!;
  const img = cg.createImageData(cells.width, cells.height);
  g.imageSmoothingEnabled = false;
  let n = 0;
  const draw = () => {
    const d = img.data;
    let x = (n++ * 2654435761) >>> 0 || 1;
    for (let i = 0; i < d.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      d[i] = x & 0xff;
      d[i + 1] = (x >>> 8) & 0xff;
      d[i + 2] = (x >>> 16) & 0xff;
      d[i + 3] = 255;
    }
    cg.putImageData(img, 0, 0);
    g.drawImage(cells, 0, 0, canvas.width, canvas.height);
  };
  draw();
  const timer = setInterval(draw, 1000 / 30);
  const video = canvas.captureStream(30).getVideoTracks()[0]!;
  let ctx: AudioContext | null = null;
  let audio: MediaStreamTrack | null = null;
  try {
    ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(dest);
    osc.start();
    void ctx.resume().catch(() => undefined);
    audio = dest.stream.getAudioTracks()[0] ?? null;
  } catch {
    audio = null; // no audio device stack: video alone still measures the path
  }
  return {
    video,
    audio,
    stop() {
      clearInterval(timer);
      video.stop();
      audio?.stop();
      void ctx?.close().catch(() => undefined);
    },
  };
}

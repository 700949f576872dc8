// PDQ, Meta's perceptual photo hash, computed in the browser so a victim's pictures never leave
// her device. Written for haechi from the published algorithm (facebook/ThreatExchange
// pdq/README.md and hashing.pdf); the reference for exact behaviour is the `pdqhash` package that
// haechi's server uses (src/haechi/adapters/hashers/pdq.py).
//
// The algorithm, as pdqhash runs it:
//   1. luma = 0.299 R + 0.587 G + 0.114 B, stored as float32;
//   2. along each axis of length L, two passes of a box ("Jarosz") filter with a window of
//      ceil(L / 128) pixels, then the pixel at floor((i + 0.5) * L / 64) is kept: a 64x64 image;
//   3. quality: the sum of |neighbour differences| scaled to 0-100, over 90, capped at 100;
//   4. a 16x16 block of the 2-D DCT of the 64x64 image (frequencies 1-16; the DC term is skipped);
//   5. bit k = i * 16 + j is set when coefficient (i, j) exceeds the median of the 256, and the
//      256 bits are written most significant first (bit 255 leads the hex string).
//
// Step 2 is linear in the pixels, so instead of filtering a full-size float copy of the image
// (8 bytes a pixel on top of the decoded picture) this module pulls each kept sample back through
// both box passes once, giving for every output row and column a short run of weights, and
// accumulates rows as they arrive. The picture is read in strips, so a 48-megapixel phone photo
// costs about 16 MB beyond its decoded bitmap. The result is the same linear map pdqhash
// applies; the DCT repeats pdqhash's float32 arithmetic step by step. Identical pixels give
// pdqhash's exact bits and quality (tests/e2e/test_browser_hashing.py); the one known exception
// is a large, perfectly flat picture, whose coefficients are all rounding noise (quality 0, which
// haechi never matches), where pdqhash's float32 running sums and our weights round differently.

export const SIDE = 64;
const DCT_SIDE = 16;
const MIN_SIDE = 5; // pdqhash answers an all-zero hash of quality 0 below this
const STRIP_PIXELS = 1 << 21; // pixels read from the canvas at a time
export const ZERO_HASH = "0".repeat(64);

/** For each of the 64 samples along an axis: the first input index and its weights. */
export function axisWeights(length) {
  const window = Math.floor((length + 2 * SIDE - 1) / (2 * SIDE));
  const half = Math.floor((window + 2) / 2);
  const left = window - half; // the box covering output o spans inputs [o - left, o + right]
  const right = half - 1;
  const count = (o) => Math.min(o + right, length - 1) - Math.max(o - left, 0) + 1;
  const samples = [];
  for (let i = 0; i < SIDE; i++) {
    const centre = Math.floor(((i + 0.5) * length) / SIDE);
    // second pass, pulled back: the box of output `centre`
    const a0 = Math.max(0, centre - left);
    const a1 = Math.min(length - 1, centre + right);
    const share = 1 / count(centre);
    // first pass, pulled back: input k feeds outputs o in [k - right, k + left]
    const lo = Math.max(0, a0 - left);
    const hi = Math.min(length - 1, a1 + right);
    const weights = new Float64Array(hi - lo + 1);
    for (let k = lo; k <= hi; k++) {
      let sum = 0;
      for (let o = Math.max(a0, k - right), end = Math.min(a1, k + left); o <= end; o++) {
        sum += share / count(o);
      }
      weights[k - lo] = sum;
    }
    samples.push({ start: lo, weights });
  }
  return samples;
}

/** Accumulates the 64x64 PDQ downsample from RGBA rows fed top to bottom. */
export class PdqDownsampler {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.nextRow = 0;
    this.cols = axisWeights(width);
    this.rows = axisWeights(height);
    this.luma = new Float32Array(width); // float32, as pdqhash stores luma
    this.rowSamples = new Float64Array(SIDE);
    this.out = new Float64Array(SIDE * SIDE);
  }

  /** Add `count` rows of RGBA bytes (width * 4 bytes each), continuing where the last call ended. */
  addRows(rgba, count) {
    const { width, luma, rowSamples, out } = this;
    for (let r = 0; r < count; r++) {
      const base = r * width * 4;
      for (let x = 0, p = base; x < width; x++, p += 4) {
        luma[x] = rgba[p] * 0.299 + rgba[p + 1] * 0.587 + rgba[p + 2] * 0.114;
      }
      for (let j = 0; j < SIDE; j++) {
        const { start, weights } = this.cols[j];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * luma[start + k];
        rowSamples[j] = sum;
      }
      const y = this.nextRow++;
      for (let i = 0; i < SIDE; i++) {
        const { start, weights } = this.rows[i];
        if (y < start || y >= start + weights.length) continue;
        const w = weights[y - start];
        for (let j = 0, o = i * SIDE; j < SIDE; j++, o++) out[o] += w * rowSamples[j];
      }
    }
  }

  /** The 64x64 luma image, float32 like pdqhash's buffer. */
  image() {
    if (this.nextRow !== this.height) throw new Error("PDQ: not every row was added");
    return Float32Array.from(this.out);
  }
}

/** pdqhash's quality metric over the 64x64 image: 0 (flat) to 100 (detailed). */
export function quality(image) {
  let gradientSum = 0;
  const step = (u, v) => {
    // (u - v) * 100 / 255 in float32, truncated to an int, as pdqhash does
    const d = Math.fround(Math.fround(Math.fround(u - v) * 100) / 255);
    gradientSum += Math.abs(Math.trunc(d));
  };
  for (let i = 0; i < SIDE - 1; i++) {
    for (let j = 0; j < SIDE; j++) step(image[i * SIDE + j], image[(i + 1) * SIDE + j]);
  }
  for (let i = 0; i < SIDE; i++) {
    for (let j = 0; j < SIDE - 1; j++) step(image[i * SIDE + j], image[i * SIDE + j + 1]);
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

let dctMatrix = null;

function dct() {
  if (dctMatrix === null) {
    dctMatrix = new Float32Array(DCT_SIDE * SIDE);
    const scale = Math.fround(Math.sqrt(2 / SIDE)); // a float in pdqhash, times a double cosine
    for (let i = 0; i < DCT_SIDE; i++) {
      for (let j = 0; j < SIDE; j++) {
        dctMatrix[i * SIDE + j] = scale * Math.cos((Math.PI / 2 / SIDE) * (i + 1) * (2 * j + 1));
      }
    }
  }
  return dctMatrix;
}

/**
 * The 16x16 DCT block D A Dᵀ of the 64x64 image A (row-major), in float32 arithmetic summed in
 * pdqhash's order: on flat or nearly flat pictures the coefficients are rounding noise, and only
 * the same rounding gives the same bits.
 */
export function dct16(image) {
  const f = Math.fround;
  const d = dct();
  const half = new Float32Array(DCT_SIDE * SIDE); // D A
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < SIDE; j++) {
      let sum = 0;
      for (let k = 0; k < SIDE; k++) sum = f(sum + f(d[i * SIDE + k] * image[k * SIDE + j]));
      half[i * SIDE + j] = sum;
    }
  }
  const block = new Float32Array(DCT_SIDE * DCT_SIDE); // (D A) Dᵀ
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < DCT_SIDE; j++) {
      let sum = 0;
      for (let k = 0; k < SIDE; k++) sum = f(sum + f(half[i * SIDE + k] * d[j * SIDE + k]));
      block[i * DCT_SIDE + j] = sum;
    }
  }
  return block;
}

/** 64 hex digits: bit k set when block[k] exceeds the median; bit 255 first. */
export function hashHex(block) {
  const sorted = Float32Array.from(block).sort();
  const median = sorted[block.length / 2 - 1]; // pdqhash's Torben median of 256 is the lower one
  let hex = "";
  for (let nibble = 0; nibble < 64; nibble++) {
    let value = 0;
    for (let b = 0; b < 4; b++) {
      const k = 255 - (nibble * 4 + b);
      value = (value << 1) | (block[k] > median ? 1 : 0);
    }
    hex += value.toString(16);
  }
  return hex;
}

/** PDQ of the 64x64 image: { hash, quality }. */
export function pdqFromImage(image) {
  return { hash: hashHex(dct16(image)), quality: quality(image) };
}

/** PDQ of an RGBA pixel array (as from ImageData): { hash, quality }. */
export function pdqFromRGBA(rgba, width, height) {
  if (width < MIN_SIDE || height < MIN_SIDE) return { hash: ZERO_HASH, quality: 0 };
  const sampler = new PdqDownsampler(width, height);
  sampler.addRows(rgba, height);
  return pdqFromImage(sampler.image());
}

/** PDQ of a decoded bitmap, read from a canvas a strip at a time. */
export function pdqFromBitmap(bitmap) {
  const { width, height } = bitmap;
  if (width < MIN_SIDE || height < MIN_SIDE) return { hash: ZERO_HASH, quality: 0 };
  const strip = Math.max(1, Math.min(height, Math.floor(STRIP_PIXELS / width)));
  const canvas = new OffscreenCanvas(width, strip);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.imageSmoothingEnabled = false;
  const sampler = new PdqDownsampler(width, height);
  for (let y = 0; y < height; y += strip) {
    const rows = Math.min(strip, height - y);
    context.clearRect(0, 0, width, strip);
    context.drawImage(bitmap, 0, y, width, rows, 0, 0, width, rows);
    sampler.addRows(context.getImageData(0, 0, width, rows).data, rows);
  }
  return pdqFromImage(sampler.image());
}

/**
 * Decode an image file the way a viewer shows it (EXIF orientation applied, first frame, no
 * colour management, as haechi's server decodes) and hash it: { hash, quality, width, height }.
 */
export async function pdqFromBlob(blob) {
  const bitmap = await createImageBitmap(blob, {
    imageOrientation: "from-image",
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  try {
    return { ...pdqFromBitmap(bitmap), width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

// Hash one picked file on the device: PDQ for photos (pdq.js), MD5 (md5.js) and SHA-256 (Web
// Crypto) of the bytes for photos and videos. Nothing here touches the network.

import { Md5 } from "./md5.js";
import { pdqFromBlob } from "./pdq.js";

/** Larger files are left to a support centre (`haechi hash --local`): a phone may run out of memory. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const STILL_BRANDS = new Set(["heic", "heix", "heim", "heis", "mif1", "msf1", "avif", "avis"]);

export class MediaError extends Error {
  /** `reason` names the page's message: too_large, not_media, failed. */
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

function ascii(bytes, start, end) {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** "photo", "video" or null, from the file's first bytes, else from the type the browser gives. */
export function contentTypeOf(bytes, mime) {
  const starts = (...magic) => magic.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff) || starts(0x89, 0x50, 0x4e, 0x47)) return "photo";
  if (ascii(bytes, 0, 4) === "GIF8" || ascii(bytes, 8, 12) === "WEBP") return "photo";
  if (starts(0x42, 0x4d) || starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) {
    return "photo";
  }
  if (ascii(bytes, 4, 8) === "ftyp") return STILL_BRANDS.has(ascii(bytes, 8, 12)) ? "photo" : "video";
  if (starts(0x1a, 0x45, 0xdf, 0xa3)) return "video"; // Matroska / WebM
  if (mime.startsWith("image/")) return "photo";
  if (mime.startsWith("video/")) return "video";
  return null;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/** MD5 a slice at a time, letting the page repaint between slices. */
async function md5Of(bytes) {
  const md5 = new Md5();
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    md5.update(bytes.subarray(offset, offset + CHUNK));
    await pause();
  }
  return md5.hex();
}

/**
 * { content_type, signals: {pdq?, md5, sha256}, quality: {pdq?}, exactOnly } for a File.
 * A photo the browser cannot decode (e.g. HEIC outside Safari) keeps its exact digests.
 */
export async function hashFile(file) {
  if (file.size > MAX_FILE_BYTES) throw new MediaError("too_large");
  if (!globalThis.crypto?.subtle) throw new MediaError("failed"); // only on https or localhost
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = contentTypeOf(bytes, file.type || "");
  if (contentType === null) throw new MediaError("not_media");
  const signals = {};
  const quality = {};
  let exactOnly = contentType === "video";
  if (contentType === "photo") {
    try {
      const pdq = await pdqFromBlob(file);
      signals.pdq = pdq.hash;
      quality.pdq = pdq.quality;
    } catch {
      exactOnly = true;
    }
  }
  signals.md5 = await md5Of(bytes);
  signals.sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
  return { content_type: contentType, signals, quality, exactOnly };
}

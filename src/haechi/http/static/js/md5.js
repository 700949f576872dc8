// MD5 (RFC 1321) of file bytes, for haechi's victim page. Web Crypto has no MD5, yet hash banks
// are still exchanged in it, so a victim's exact copies need it. Incremental: `update` takes
// chunks of any size, so a video is hashed a slice at a time instead of read whole.
// Written for haechi from RFC 1321; MD5 here identifies files, it protects nothing.

// per-round left-rotation amounts, four per round
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
// K[i] = floor(abs(sin(i + 1)) * 2^32), as RFC 1321 defines the table
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));

export class Md5 {
  constructor() {
    this.state = Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
    this.block = new Uint8Array(64);
    this.filled = 0;
    this.length = 0; // bytes so far
    this.words = new Int32Array(16);
  }

  /** Add bytes (a Uint8Array). Returns this, so calls chain. */
  update(bytes) {
    let offset = 0;
    this.length += bytes.length;
    if (this.filled > 0) {
      const take = Math.min(64 - this.filled, bytes.length);
      this.block.set(bytes.subarray(0, take), this.filled);
      this.filled += take;
      offset = take;
      if (this.filled < 64) return this;
      this.compress(this.block, 0);
      this.filled = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) this.compress(bytes, offset);
    this.block.set(bytes.subarray(offset), 0);
    this.filled = bytes.length - offset;
    return this;
  }

  /** The digest as 32 lowercase hex digits; the object is spent afterwards. */
  hex() {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, bits >>> 0, true); // the bit length, little-endian, 64 bits
    view.setUint32(tail.length - 4, Math.floor(bits / 2 ** 32), true);
    this.update(tail);
    let out = "";
    for (const word of this.state) {
      for (let b = 0; b < 4; b++) out += ((word >>> (8 * b)) & 0xff).toString(16).padStart(2, "0");
    }
    return out;
  }

  compress(bytes, offset) {
    const m = this.words;
    for (let i = 0; i < 16; i++) {
      const p = offset + i * 4;
      m[i] = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    }
    let [a, b, c, d] = this.state;
    // four rounds of sixteen steps; split by round so no step branches on its round
    for (let i = 0; i < 16; i++) {
      const next = step(a, b, (b & c) | (~b & d), m[i], i);
      a = d;
      d = c;
      c = b;
      b = next;
    }
    for (let i = 16; i < 32; i++) {
      const next = step(a, b, (d & b) | (~d & c), m[(5 * i + 1) & 15], i);
      a = d;
      d = c;
      c = b;
      b = next;
    }
    for (let i = 32; i < 48; i++) {
      const next = step(a, b, b ^ c ^ d, m[(3 * i + 5) & 15], i);
      a = d;
      d = c;
      c = b;
      b = next;
    }
    for (let i = 48; i < 64; i++) {
      const next = step(a, b, c ^ (b | ~d), m[(7 * i) & 15], i);
      a = d;
      d = c;
      c = b;
      b = next;
    }
    const st = this.state;
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
  }
}

function step(a, b, f, word, i) {
  const sum = (a + f + K[i] + word) | 0;
  const s = SHIFTS[((i >> 4) << 2) | (i & 3)];
  return (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
}

/** MD5 of a Uint8Array, as hex. */
export function md5Hex(bytes) {
  return new Md5().update(bytes).hex();
}

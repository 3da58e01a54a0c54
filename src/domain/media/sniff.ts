/** What an upload is, decided from its first bytes alone (never from its name or declared type). */
export type Sniffed =
  | { readonly kind: 'image'; readonly format: 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' }
  /** Audio or video in a container ffmpeg demuxes; the streams inside decide which it is. */
  | { readonly kind: 'av'; readonly demuxer: 'mov' | 'matroska' | 'ogg' | 'mp3' };

const ascii = (bytes: Uint8Array, start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const MOV_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'M4V ',
  'M4VH',
  'M4VP',
  'M4A ',
  'M4B ',
  'qt  ',
  '3gp4',
  '3gp5',
  '3gp6',
  '3g2a',
  'mmp4',
  'MSNV',
  'dash',
  'f4v ',
  'XAVC',
]);
/** Boxes a QuickTime file without `ftyp` may begin with. */
const BARE_MOV_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** Recognises the supported types by their signatures; null for anything else (HTML, SVG, JSON, ...). */
export function sniff(bytes: Uint8Array): Sniffed | null {
  if (bytes.length < 12) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'image', format: 'jpeg' };
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return { kind: 'image', format: 'png' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const boxSize = Math.min(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0), bytes.length, 256);
    const brands = [ascii(bytes, 8, 4)];
    for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'image', format: 'avif' };
    if (brands.some((b) => HEIC_BRANDS.has(b))) return { kind: 'image', format: 'heic' };
    if (brands.some((b) => MOV_BRANDS.has(b))) return { kind: 'av', demuxer: 'mov' };
    return null;
  }
  if (BARE_MOV_BOXES.has(ascii(bytes, 4, 4))) return { kind: 'av', demuxer: 'mov' };
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return { kind: 'av', demuxer: 'matroska' };
  if (ascii(bytes, 0, 4) === 'OggS') return { kind: 'av', demuxer: 'ogg' };
  if (ascii(bytes, 0, 3) === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe6) === 0xe2)) return { kind: 'av', demuxer: 'mp3' };
  return null;
}

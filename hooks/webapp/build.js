'use strict'
// Builds the Feidi web app into pb_public/ (or the folder given as the first argument): the
// bundle (esbuild, from node_modules), the page, the stylesheet, the web manifest, the icons
// (drawn here, so no image tool is needed) and the service worker, whose cache name is the hash
// of everything else so that a new build replaces the cached shell. The output depends only on
// the source and the pinned packages: hooks/webapp's TestCommittedBuildIsTheSources rebuilds it
// and compares.
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const zlib = require('node:zlib')
const esbuild = require('esbuild')

const src = path.join(__dirname, 'src')
const out = path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'pb_public'))

// png encodes an RGBA image (one Buffer of w*h*4 bytes) as a PNG file.
function png(w, h, rgba) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = buf => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8; ihdr[9] = 6 // 8-bit RGBA
  const rows = Buffer.alloc((w * 4 + 1) * h)
  for (let y = 0; y < h; y++) rgba.copy(rows, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

// icon draws the app's mark at size s: two cities (Chengdu, Dazu) joined by the line between
// them, white on the app's teal; maskable (the mark keeps within the middle 60%).
function icon(s) {
  const img = Buffer.alloc(s * s * 4)
  const a = [0.33 * s, 0.62 * s], b = [0.67 * s, 0.38 * s], r = 0.085 * s, line = 0.035 * s
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const px = x + 0.5, py = y + 0.5
      const da = Math.hypot(px - a[0], py - a[1]), db = Math.hypot(px - b[0], py - b[1])
      const dx = b[0] - a[0], dy = b[1] - a[1]
      const t = Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / (dx * dx + dy * dy)))
      const dl = Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy))
      // coverage of the white mark, antialiased over one pixel
      const cover = Math.max(0, Math.min(1, Math.max(r - Math.min(da, db), line - dl) + 0.5))
      const i = (y * s + x) * 4
      const bg = [15, 118, 110]
      for (let c = 0; c < 3; c++) img[i + c] = Math.round(bg[c] + (255 - bg[c]) * cover)
      img[i + 3] = 255
    }
  }
  return png(s, s, img)
}

async function main() {
  const bundle = await esbuild.build({
    entryPoints: [path.join(src, 'main.jsx')],
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    target: ['es2019'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    legalComments: 'none',
    logLevel: 'warning',
    outdir: out,
    loader: { '.json': 'json' },
  })
  const files = {}
  for (const f of bundle.outputFiles) files[path.basename(f.path) === 'main.js' ? 'app.js' : path.basename(f.path)] = Buffer.from(f.contents)
  if (files['main.css']) { files['app.css'] = files['main.css']; delete files['main.css'] }
  files['index.html'] = fs.readFileSync(path.join(src, 'index.html'))
  files['manifest.webmanifest'] = fs.readFileSync(path.join(src, 'manifest.webmanifest'))
  files['icon-192.png'] = icon(192)
  files['icon-512.png'] = icon(512)
  // Pages of their own, served as they are (the public challenge board, the QR enrolment).
  for (const n of fs.readdirSync(path.join(src, 'pages')).sort()) files[n] = fs.readFileSync(path.join(src, 'pages', n))

  const names = Object.keys(files).sort()
  const hash = crypto.createHash('sha256')
  for (const n of names) hash.update(n).update(files[n])
  const version = hash.digest('hex').slice(0, 12)
  const sw = fs.readFileSync(path.join(src, 'sw.js'), 'utf8')
    .replace('__VERSION__', version)
    .replace('__SHELL__', JSON.stringify(['/', ...names.filter(n => n !== 'index.html').map(n => '/' + n)]))
  files['sw.js'] = Buffer.from(sw)

  fs.mkdirSync(out, { recursive: true })
  for (const old of fs.readdirSync(out)) fs.rmSync(path.join(out, old), { recursive: true })
  for (const [n, data] of Object.entries(files)) fs.writeFileSync(path.join(out, n), data)
  for (const n of Object.keys(files).sort()) process.stdout.write(`${n}\t${files[n].length}\n`)
}

main().catch(err => { console.error(err); process.exit(1) })

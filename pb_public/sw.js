// The Feidi service worker: keeps the app shell (page, bundle, stylesheet, icons) so that the
// app opens with the network off. Data never passes through here: /api/ and the admin UI (/_/)
// go to the network as they are. build.js fills in the version and the shell's files.
const VERSION = '9dbf47b7558b'
const SHELL = ["/","/app.css","/app.js","/board.html","/enrol.html","/icon-192.png","/icon-512.png","/manifest.webmanifest"]
const CACHE = 'feidi-shell-' + VERSION

self.addEventListener('install', e => {
  e.waitUntil(caches.open(CACHE).then(c => c.addAll(SHELL)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', e => {
  e.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(k => k.startsWith('feidi-shell-') && k !== CACHE).map(k => caches.delete(k))))
    .then(() => self.clients.claim()))
})

self.addEventListener('fetch', e => {
  const url = new URL(e.request.url)
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/_/')) return
  // Every page of the app is the one page: its views are drawn by app.js.
  const key = e.request.mode === 'navigate' ? '/' : url.pathname
  e.respondWith(caches.open(CACHE).then(c => c.match(key).then(hit => hit || fetch(e.request))))
})

// Photos wait on the device in IndexedDB until their survey has synced, then go up by the
// documented multipart flow (PATCH the survey with photos+), and leave the queue only once the
// server answered 200; a failed upload is tried again at the next sync.
const DB = 'feidi-photos'
const STORE = 'queue'

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

async function tx(mode, fn) {
  const db = await open()
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode)
    const out = fn(t.objectStore(STORE))
    t.oncomplete = () => { db.close(); resolve(out && 'result' in out ? out.result : undefined) }
    t.onerror = () => { db.close(); reject(t.error) }
  })
}

// add queues a photo (a File or Blob) for a survey.
export const add = (surveyId, file) => tx('readwrite', s => s.add({ surveyId, name: file.name || 'photo.jpg', type: file.type, blob: file }))
export const list = () => tx('readonly', s => s.getAll())
export const count = () => tx('readonly', s => s.count())
export const clear = () => tx('readwrite', s => s.clear())
const drop = key => tx('readwrite', s => s.delete(key))

// upload sends every queued photo whose survey has synced; it stops at the first failure (the
// network is likely gone) and leaves the rest for the next sync.
export async function upload(database, api) {
  for (const p of await list()) {
    const found = await database.get('surveys').query().fetch()
    const survey = found.find(s => s.id === p.surveyId)
    if (!survey) { await drop(p.key); continue } // the survey is gone from this device
    if (survey._raw._status !== 'synced') continue
    const form = new FormData()
    form.append('photos+', new File([p.blob], p.name, { type: p.type || 'image/jpeg' }))
    await api('PATCH', `/api/collections/surveys/records/${p.surveyId}`, form, { form: true })
    await drop(p.key)
  }
}

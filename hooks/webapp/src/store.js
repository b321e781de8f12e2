// The device's state: the session (PocketBase auth, kept in localStorage so that it survives a
// reload and the network being off), the WatermelonDB database (LokiJS with IndexedDB
// persistence, one per user), and sync through WatermelonDB's own synchronize() against Feidi's
// /api/sync/*, the way hooks/watermelon/e2e's devices do.
import { Database, Model, Q, appSchema, tableSchema } from '@nozbe/watermelondb'
import { schemaMigrations, addColumns, createTable } from '@nozbe/watermelondb/Schema/migrations'
import LokiJSAdapter from '@nozbe/watermelondb/adapters/lokijs'
import { synchronize } from '@nozbe/watermelondb/sync'
import * as photos from './photos.js'

const KEY = { session: 'feidi.session', schema: 'feidi.schema', lastSync: 'feidi.lastSync', rejects: 'feidi.rejects', submitAfterPhotos: 'feidi.submitAfterPhotos' }
const read = k => { try { return JSON.parse(localStorage.getItem(k)) } catch (e) { return null } }
const write = (k, v) => localStorage.setItem(k, JSON.stringify(v))

// state is what the views draw; emit() tells them it changed.
export const state = {
  session: read(KEY.session), // {token, user}
  db: null,
  tables: [],
  sync: { running: false, error: '', retryAt: 0, expired: false },
  lastSync: read(KEY.lastSync),
  pending: 0,
  pendingBy: {}, // table (or "photos") → how many wait
  rejects: read(KEY.rejects) || {}, // "table/id" → {message, errors}
  dataVersion: 0, // bumped on every change of the local database
  schemaUpdate: false, // the server syncs a newer schema; the device moves to it when the app next opens
  migrationsFrom: undefined, // the oldest schema version the database's migrations start from (synchronize's migrationsEnabledAtVersion)
}
const listeners = new Set()
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn) }
export function emit() { for (const fn of listeners) fn() }

// api calls Feidi with the session's token; it throws an Error carrying status and body.
export async function api(method, path, body, { form } = {}) {
  const headers = {}
  if (state.session) headers.Authorization = state.session.token
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: form ? body : body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  let json = null
  try { json = text ? JSON.parse(text) : null } catch (e) { /* not JSON: kept as text */ }
  if (!res.ok) {
    const err = new Error((json && json.message) || `${res.status}`)
    err.status = res.status
    err.body = json
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0
    throw err
  }
  return json
}

// The schema kept on the device is the server's GET /api/sync/schema, plus `migrations`: every
// step from the version this device first signed in with to this one, in WatermelonDB's form.
// The database is opened with all of them, so whatever version it was last written at, LokiJS
// migrates it in place (its records, synced or not, kept); a gap would make LokiJS reset it.
function migrationsOf(wire) {
  if (!wire.migrations || !wire.migrations.length) return undefined
  return schemaMigrations({
    migrations: wire.migrations.map(m => ({
      toVersion: m.toVersion,
      steps: m.steps.map(st => st.table ? addColumns({ table: st.table, columns: st.columns }) : createTable(st.create)),
    })),
  })
}

// upgradedWire is fresh (the server's newer schema) with the migrations from wire to it: the
// tables and columns it adds (Feidi's synced schema only grows: see hooks/watermelon/schema.go).
function upgradedWire(wire, fresh) {
  const steps = []
  for (const t of fresh.tables) {
    const old = wire.tables.find(o => o.name === t.name)
    if (!old) { steps.push({ create: { name: t.name, columns: t.columns } }); continue }
    const added = t.columns.filter(c => !old.columns.some(o => o.name === c.name))
    if (added.length) steps.push({ table: t.name, columns: added })
  }
  const migrations = [...(wire.migrations || [])]
  for (let v = wire.version + 1; v < fresh.version; v++) migrations.push({ toVersion: v, steps: [] })
  migrations.push({ toVersion: fresh.version, steps })
  return { ...fresh, migrations }
}

// checkSchema asks the server for its schema; a newer one is kept (in one write, with its
// migrations) for the next time the app opens, and the sync bar offers to reopen now.
async function checkSchema() {
  const wire = read(KEY.schema)
  if (!wire || !state.session) return
  let fresh
  try { fresh = await api('GET', '/api/sync/schema') } catch (e) { return }
  if (!fresh || !(fresh.version > wire.version)) return
  write(KEY.schema, upgradedWire(wire, fresh))
  state.schemaUpdate = true
  emit()
}

function openDatabase(wire, userId) {
  const schema = appSchema({ version: wire.version, tables: wire.tables.map(t => tableSchema({ name: t.name, columns: t.columns })) })
  const modelClasses = wire.tables.map(t => { const M = class extends Model {}; M.table = t.name; return M })
  const migrations = migrationsOf(wire)
  state.migrationsFrom = migrations ? migrations.minVersion : undefined
  const adapter = new LokiJSAdapter({
    schema, migrations, dbName: `feidi-${userId}`, useWebWorker: false, useIncrementalIndexedDB: true,
    onSetUpError: err => { state.sync.error = String(err); emit() },
  })
  state.db = new Database({ adapter, modelClasses })
  state.tables = wire.tables.map(t => t.name)
  state.db.withChangesForTables(state.tables).subscribe(() => { state.dataVersion++; countPending().then(emit) })
  countPending().then(emit)
}

// start opens the signed-in user's database and syncs when the network allows.
export function start() {
  const wire = read(KEY.schema)
  if (!wire) state.session = null // a session without its schema cannot open a database: sign in again
  if (!state.session) return
  openDatabase(wire, state.session.user.id)
  // LokiJS writes to IndexedDB every 500 ms; a tab going away writes at once.
  const flush = () => { if (state.db) state.db.adapter.unsafeExecute({ loki: loki => loki.saveDatabase() }) }
  window.addEventListener('pagehide', flush)
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush() })
  window.addEventListener('online', () => syncNow())
  window.addEventListener('offline', emit)
  if (navigator.onLine) refreshSession().then(() => syncNow()).then(checkSchema)
}

// refreshSession renews the token while the network is there, so that a device that signs in
// once keeps syncing; a refused renewal (password changed, user removed) asks to sign in again.
async function refreshSession() {
  try {
    const auth = await api('POST', '/api/collections/users/auth-refresh')
    state.session = { token: auth.token, user: auth.record }
    write(KEY.session, state.session)
  } catch (e) {
    if (e.status === 401 || e.status === 403 || e.status === 404) { state.sync.expired = true; emit() }
  }
}

export async function signIn(email, password) {
  const auth = await api('POST', '/api/collections/users/auth-with-password', { identity: email, password })
  const previous = state.session
  state.session = { token: auth.token, user: auth.record }
  if (previous && previous.user.id === auth.record.id && state.db) { // the same user again, after a 401
    write(KEY.session, state.session)
    state.sync.expired = false
    syncNow()
    return
  }
  try {
    write(KEY.schema, await api('GET', '/api/sync/schema'))
  } catch (e) {
    state.session = previous
    throw e
  }
  write(KEY.session, state.session)
  start()
}

// unsyncedCount counts the records of the device that the server does not have as they are.
async function countPending() {
  if (!state.db) return 0
  let n = 0
  const by = {}
  for (const table of state.tables) {
    const k = await state.db.get(table).query(Q.where('_status', Q.notEq('synced'))).fetchCount() +
      (await state.db.adapter.getDeletedRecords(table)).length
    if (k) by[table] = k
    n += k
  }
  const queued = await photos.count()
  if (queued) by.photos = queued
  state.pending = n + queued
  state.pendingBy = by
  return state.pending
}

// addPhotos queues a survey's photos on the device and counts them among what waits to sync at
// once: the queue is not a WatermelonDB table, so no change subscription sees it.
export async function addPhotos(surveyId, files) {
  for (const f of files) await photos.add(surveyId, f)
  state.dataVersion++
  await countPending()
  emit()
}

// signOut clears the device: the database, the photo queue, the session.
export async function signOut() {
  if (state.db) {
    await state.db.write(() => state.db.unsafeResetDatabase())
    await new Promise(r => setTimeout(r, 700)) // Loki's autosave writes the empty database
  }
  await photos.clear()
  // The session, the sync state and the drafts of forms; the language stays the device's.
  for (const k of Object.keys(localStorage)) if (k.startsWith('feidi.') && k !== 'feidi.lang') localStorage.removeItem(k)
  location.hash = ''
  location.reload()
}

let again = false
let retryTimer = 0

// syncNow runs one synchronize() (and again at once after a 409: the pull merges, the push goes
// through); a 503 is retried after its Retry-After; after a sync the server's refusals are
// fetched and photos of synced surveys uploaded.
export async function syncNow() {
  if (!state.db || !state.session) return
  if (state.sync.running) { again = true; return }
  if (!navigator.onLine) { emit(); return }
  clearTimeout(retryTimer)
  state.sync = { running: true, error: '', retryAt: 0, expired: false }
  emit()
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        // After a schema migration the pull names what was added, and gets it whole.
        await synchronize({ database: state.db, pullChanges, pushChanges, sendCreatedAsUpdated: false,
          migrationsEnabledAtVersion: state.migrationsFrom })
        break
      } catch (e) {
        if (e.status !== 409 || attempt === 3) throw e
      }
    }
    state.lastSync = Date.now()
    write(KEY.lastSync, state.lastSync)
    await refreshRejects()
    await photos.upload(state.db, api)
    if (await submitAfterPhotos()) again = true
  } catch (e) {
    if (e.status === 503) {
      const secs = Math.max(1, e.retryAfter || 5)
      state.sync.retryAt = Date.now() + secs * 1000
      retryTimer = setTimeout(syncNow, secs * 1000)
    } else if (e.status === 401) {
      state.sync.expired = true
    } else {
      state.sync.error = e.message || String(e)
    }
  } finally {
    state.sync.running = false
    await countPending()
    emit()
  }
  if (again) { again = false; syncNow() }
}

async function pullChanges({ lastPulledAt, schemaVersion, migration }) {
  let q = `schema_version=${schemaVersion}`
  if (lastPulledAt) q += `&last_pulled_at=${lastPulledAt}`
  if (migration) q += `&migration=${encodeURIComponent(JSON.stringify(migration))}`
  return api('GET', `/api/sync/pull?${q}`)
}

async function pushChanges({ changes, lastPulledAt }) {
  return (await api('POST', `/api/sync/push?last_pulled_at=${lastPulledAt}`, { changes, lastPulledAt })) || {}
}

// refreshRejects reads the caller's sync_rejects: what the server refused, with its reasons.
async function refreshRejects() {
  const list = await api('GET', '/api/collections/sync_rejects/records?perPage=500&sort=-updated')
  const rejects = {}
  for (const r of list.items) rejects[`${r.table}/${r.record_id}`] = { message: r.message, errors: r.errors }
  state.rejects = rejects
  write(KEY.rejects, rejects)
}

// A submitted survey is read-only to its officer, so a survey submitted with photos still
// waiting goes up as a draft, gets its photos, and is submitted then.
const waitingSubmit = () => read(KEY.submitAfterPhotos) || []
export const submitWaitsForPhotos = id => waitingSubmit().includes(id)
export async function submitLater(id) { write(KEY.submitAfterPhotos, [...new Set([...waitingSubmit(), id])]) }

async function submitAfterPhotos() {
  const queued = new Set((await photos.list()).map(p => p.surveyId))
  let changed = false
  for (const id of waitingSubmit()) {
    if (queued.has(id)) continue
    const s = (await state.db.get('surveys').query(Q.where('id', id)).fetch())[0]
    if (s && s._raw.status === 'draft') { await update(s, { status: 'submitted' }); changed = true }
    write(KEY.submitAfterPhotos, waitingSubmit().filter(x => x !== id))
  }
  return changed
}

// rejectOf is the server's refusal of a record still unsynced on this device, or null.
export function rejectOf(table, record) {
  if (!record || record._raw._status === 'synced') return null
  return state.rejects[`${table}/${record.id}`] || null
}

// create and update write a record's raw columns, as the sync e2e's devices do.
export async function create(table, values) {
  let rec
  await state.db.write(async () => {
    rec = await state.db.get(table).create(r => { for (const [k, v] of Object.entries(values)) r._setRaw(k, v) })
  })
  syncSoon()
  return rec
}
export async function update(record, values) {
  await state.db.write(() => record.update(r => { for (const [k, v] of Object.entries(values)) r._setRaw(k, v) }))
  syncSoon()
}
export async function remove(record) {
  await state.db.write(() => record.markAsDeleted())
  syncSoon()
}

let soon = 0
// syncSoon syncs a moment after a change, when online, so that a burst of edits is one sync.
export function syncSoon() {
  clearTimeout(soon)
  soon = setTimeout(() => { if (navigator.onLine) syncNow() }, 1500)
}

export { Q }
export const all = (table, ...clauses) => state.db.get(table).query(...clauses).fetch()

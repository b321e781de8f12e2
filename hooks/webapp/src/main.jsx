// The Feidi web app: sign-in, the sync bar, and the screens of each role, drawn with Preact from
// the device's WatermelonDB database. Every write goes to the device first; sync carries it.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import './style.css'
import { t, lang, setLang } from './i18n.js'
import { state, subscribe, emit, start, signIn, signOut, syncNow, rejectOf, submitLater, submitWaitsForPhotos, addPhotos, create, update, remove, all, Q, api } from './store.js'
import { checkUSCC, checkPhone, checkTrip, checkEntry, shanghai, shanghaiDay, fromShanghai } from './rules.js'
import { SchemaField, check, prune } from './schemaform.jsx'
import * as photos from './photos.js'

// useStore re-renders on every change of the state or the local database.
function useStore() {
  const [, setN] = useState(0)
  useEffect(() => subscribe(() => setN(n => n + 1)), [])
  return state
}

// useData runs a query of the local database again whenever the database changes.
function useData(fn, deps = []) {
  const [data, setData] = useState(null)
  useEffect(() => { let live = true; fn().then(d => { if (live) setData(d) }); return () => { live = false } }, [state.dataVersion, ...deps])
  return data
}

function useHash() {
  const [h, setH] = useState(location.hash.slice(1) || '/')
  useEffect(() => { const f = () => setH(location.hash.slice(1) || '/'); addEventListener('hashchange', f); return () => removeEventListener('hashchange', f) }, [])
  return h
}
const go = h => { location.hash = h }

// useDraft is useState kept in localStorage under key, so that what is typed into a form
// survives a reload or a closed tab until it is saved or cancelled (clear()).
function useDraft(key, init) {
  const k = 'feidi.draft.' + key
  const [v, setV] = useState(() => { try { return JSON.parse(localStorage.getItem(k)) || init() } catch (e) { return init() } })
  const set = x => { localStorage.setItem(k, JSON.stringify(x)); setV(x) }
  set.clear = () => localStorage.removeItem(k)
  return [v, set]
}
const parseJSON = (s, d) => { try { return s ? JSON.parse(s) : d } catch (e) { return d } }

function SignIn({ again }) {
  const [email, setEmail] = useState(again || '')
  const [password, setPassword] = useState('')
  const [err, setErr] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async e => {
    e.preventDefault()
    if (!navigator.onLine) { setErr(t('offlineNoSession')); return }
    setBusy(true); setErr('')
    try { await signIn(email.trim(), password) } catch (x) { setErr(x.status === 400 ? t('signInFailed') : x.message) }
    setBusy(false)
  }
  return (
    <main class={again ? 'card' : 'signin'}>
      {again ? <p class="err">{t('sessionExpired')}</p> : <h1>{t('appName')} <small>成都—大足科创飞地</small></h1>}
      <form onSubmit={submit}>
        <label class="field"><span class="label">{t('email')}</span>
          <input name="email" type="email" autocomplete="username" value={email} onInput={e => setEmail(e.target.value)} required /></label>
        <label class="field"><span class="label">{t('password')}</span>
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={e => setPassword(e.target.value)} required /></label>
        {err ? <p class="err" role="alert">{err}</p> : null}
        <button type="submit" disabled={busy}>{t('signIn')}</button>
      </form>
      {again ? null : <LangSwitch />}
    </main>
  )
}

function LangSwitch() {
  useStore()
  return <button type="button" class="link lang" data-testid="lang" onClick={() => { setLang(lang() === 'en' ? 'zh' : 'en'); emit() }}>{t('lang')}</button>
}

function SyncBar() {
  const s = useStore()
  const online = navigator.onLine
  const [, tick] = useState(0)
  useEffect(() => { const i = setInterval(() => tick(n => n + 1), 1000); return () => clearInterval(i) }, [])
  const refused = Object.keys(s.rejects).length
  let status
  if (s.sync.running) status = t('syncing')
  else if (!online) status = t('offline')
  else if (s.sync.expired) status = t('sessionExpired')
  else if (s.sync.retryAt > Date.now()) status = t('retryIn', { s: Math.ceil((s.sync.retryAt - Date.now()) / 1000) })
  else if (s.sync.error) status = t('syncFailed', { msg: s.sync.error })
  return (
    <section class={'syncbar' + (online ? '' : ' off')} aria-live="polite">
      <div>
        <strong data-testid="pending">{s.pending ? t('waiting', { n: s.pending }) : t('allSynced')}</strong>
        {s.pending ? <span class="muted" data-testid="pending-by">
          {Object.entries(s.pendingBy).map(([k, n]) => `${t('tables.' + k)} ${n}`).join(' · ')}</span> : null}
        <span class="muted" data-testid="last-sync">{s.lastSync ? t('lastSync', { at: shanghai(s.lastSync).slice(5) }) : t('neverSynced')}</span>
        {status ? <span class="status" data-testid="sync-status">{status}</span> : null}
        {refused ? <span class="refused" data-testid="refused">{t('refused', { n: refused })}</span> : null}
        {s.schemaUpdate ? <span class="status" data-testid="schema-update">{t('schemaUpdate')}
          <button type="button" class="link" onClick={() => location.reload()} data-testid="reopen">{t('reopen')}</button></span> : null}
      </div>
      <button type="button" onClick={() => syncNow()} disabled={!online || s.sync.running} data-testid="sync">{t('sync')}</button>
    </section>
  )
}

// Refusal shows what the server refused of a record, with its reason, next to the record.
function Refusal({ table, record }) {
  const r = rejectOf(table, record)
  if (!r) return null
  return <p class="err refusal" data-testid="refusal">{t('refusedReason')}{r.message}</p>
}

function Badge({ record }) {
  const st = record._raw._status
  return <span class={'badge ' + (st === 'synced' ? 'ok' : 'wait')}>{st === 'synced' ? t('synced') : t('pending')}</span>
}

function Header() {
  const s = useStore()
  const u = s.session.user
  const out = async () => {
    const n = s.pending
    if (!confirm(n ? t('signOutWarn', { n }) : t('signOutOk'))) return
    await signOut()
  }
  return (
    <header>
      <span class="brand">{t('appName')}</span>
      <span class="who">{u.name || u.email} · {t('roles.' + u.role)}</span>
      <LangSwitch />
      <button type="button" class="link" onClick={out} data-testid="signout">{t('signOut')}</button>
    </header>
  )
}

// ---------- field officer ----------

function Enterprises() {
  const [q, setQ] = useState('')
  const list = useData(() => all('enterprises', Q.sortBy('name', Q.asc)))
  const needle = q.trim().toUpperCase()
  const shown = (list || []).filter(e => !needle || e._raw.name.toUpperCase().includes(needle) || e._raw.uscc.includes(needle)).slice(0, 50)
  return (
    <section>
      <div class="row">
        <input type="search" class="grow" placeholder={t('search')} value={q} onInput={e => setQ(e.target.value)} data-testid="search" />
        <button type="button" onClick={() => go('/new-enterprise')} data-testid="add-enterprise">＋</button>
      </div>
      <ul class="list">
        {shown.map(e => (
          <li key={e.id} onClick={() => go('/e/' + e.id)}>
            <span class="title">{e._raw.name}</span><span class="muted">{e._raw.uscc}</span>
            <Badge record={e} /><Refusal table="enterprises" record={e} />
          </li>
        ))}
      </ul>
      {list && !shown.length ? <p class="muted">{t('noResults')}</p> : null}
    </section>
  )
}

function EnterpriseForm() {
  const [v, setV] = useDraft('enterprise', () => ({ name: '', uscc: '', industry: 'hardware', park: '', town: '', contact_name: '', contact_phone: '' }))
  const [errs, setErrs] = useState({})
  const set = k => e => setV({ ...v, [k]: e.target.value })
  const save = async e => {
    e.preventDefault()
    const errors = {}
    if (!v.name.trim()) errors.name = t('required')
    const [uscc, usccErr] = checkUSCC(v.uscc)
    if (usccErr) errors.uscc = usccErr
    const phoneErr = checkPhone(v.contact_phone)
    if (phoneErr) errors.contact_phone = phoneErr
    const taken = uscc && (await all('enterprises', Q.where('uscc', uscc)))[0]
    if (taken) { go('/e/' + taken.id); return }
    setErrs(errors)
    if (Object.keys(errors).length) return
    const rec = await create('enterprises', { ...v, name: v.name.trim(), uscc, contact_phone: v.contact_phone.trim() })
    setV.clear()
    go('/e/' + rec.id)
  }
  const field = (k, label, input) => (
    <label class={'field' + (errs[k] ? ' bad' : '')}><span class="label">{label}</span>{input}
      {errs[k] ? <span class="err" data-testid={'err-' + k}>{errs[k]}</span> : null}</label>
  )
  return (
    <form onSubmit={save} class="card">
      <h2>{t('addEnterprise')}</h2>
      {field('name', t('name'), <input name="name" value={v.name} onInput={set('name')} />)}
      {field('uscc', t('uscc'), <input name="uscc" value={v.uscc} maxLength={18} autocapitalize="characters" onInput={set('uscc')} />)}
      {field('industry', t('industry'), <select name="industry" value={v.industry} onChange={set('industry')}>
        {Object.entries(t('industries')).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>)}
      {field('park', t('park'), <select name="park" value={v.park} onChange={set('park')}>
        {Object.entries(t('parks')).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>)}
      {field('town', t('town'), <input name="town" value={v.town} onInput={set('town')} />)}
      {field('contact_name', t('contactName'), <input name="contact_name" value={v.contact_name} onInput={set('contact_name')} />)}
      {field('contact_phone', t('contactPhone'), <input name="contact_phone" type="tel" value={v.contact_phone} onInput={set('contact_phone')} />)}
      <div class="row"><button type="submit" data-testid="save-enterprise">{t('save')}</button>
        <button type="button" class="secondary" onClick={() => { setV.clear(); history.back() }}>{t('cancel')}</button></div>
    </form>
  )
}

// publishedForm is the newest published version of the needs survey form on this device.
async function publishedForm() {
  const forms = await all('survey_forms', Q.where('code', 'enterprise_needs'), Q.where('published', true), Q.sortBy('version', Q.desc))
  return forms[0] || null
}

function EnterpriseView({ id }) {
  const data = useData(async () => {
    const e = (await all('enterprises', Q.where('id', id)))[0]
    return { e, surveys: await all('surveys', Q.where('enterprise', id), Q.sortBy('visited_at', Q.desc)) }
  }, [id])
  if (!data) return null
  if (!data.e) return <p class="muted">{t('noResults')}</p>
  const { e, surveys } = data
  const newSurvey = async () => {
    const form = await publishedForm()
    if (!form) { alert(t('noForm')); return }
    const rec = await create('surveys', { enterprise: id, form: form.id, officer: state.session.user.id, status: 'draft', answers: '{}', visited_at: Date.now() })
    go('/s/' + rec.id)
  }
  return (
    <section>
      <button type="button" class="link" onClick={() => go('/')}>‹ {t('back')}</button>
      <div class="card">
        <h2>{e._raw.name} <Badge record={e} /></h2>
        <p class="muted">{e._raw.uscc} · {t('industries.' + e._raw.industry)}{e._raw.town ? ' · ' + e._raw.town : ''}</p>
        {e._raw.contact_phone ? <p>{e._raw.contact_name} {e._raw.contact_phone}</p> : null}
        <Refusal table="enterprises" record={e} />
      </div>
      <h3>{t('surveys')}</h3>
      <ul class="list">
        {surveys.map(s => (
          <li key={s.id} onClick={() => go('/s/' + s.id)}>
            <span class="title">{s._raw.visited_at ? shanghaiDay(s._raw.visited_at) : '—'}</span>
            <span class={'st ' + s._raw.status}>{t('status.' + s._raw.status)}</span><Badge record={s} />
            <Refusal table="surveys" record={s} />
          </li>
        ))}
      </ul>
      <button type="button" onClick={newSurvey} data-testid="new-survey">＋ {t('newSurvey')}</button>
    </section>
  )
}

function SurveyView({ id }) {
  const data = useData(async () => {
    const s = (await all('surveys', Q.where('id', id)))[0]
    if (!s) return { s: null }
    const form = (await all('survey_forms', Q.where('id', s._raw.form)))[0]
    const e = (await all('enterprises', Q.where('id', s._raw.enterprise)))[0]
    const queued = (await photos.list()).filter(p => p.surveyId === id).length
    return { s, form, e, queued }
  }, [id])
  const [answers, setAnswers] = useState(null)
  const [errors, setErrors] = useState({})
  const [msg, setMsg] = useState('')
  const [notes, setNotes] = useState(null)
  useEffect(() => {
    if (data && data.s && answers === null) { setAnswers(parseJSON(data.s._raw.answers, {})); setNotes(data.s._raw.notes || '') }
  }, [data])
  // What is typed is written to the device a moment later, whatever the status: a reload loses nothing.
  useEffect(() => {
    if (!data || !data.s || answers === null) return
    // Only a draft: a returned survey's answers are checked by the server on every save.
    if (data.s._raw.status !== 'draft') return
    const text = JSON.stringify(prune(answers))
    if (text === data.s._raw.answers) return
    const timer = setTimeout(() => update(data.s, { answers: text }), 600)
    return () => clearTimeout(timer)
  }, [answers])
  if (!data || answers === null) return null
  const { s, form, e, queued } = data
  if (!s) return <p class="muted">{t('noResults')}</p>
  const schema = form ? parseJSON(form._raw.schema, null) : null
  const st = s._raw.status
  const readOnly = st === 'submitted' || st === 'reviewed'
  const loc = parseJSON(s._raw.location, null)
  const save = async status => {
    const pruned = prune(answers)
    if (status === 'submitted') {
      const errs = schema ? check(schema, pruned) : {}
      setErrors(errs)
      if (Object.keys(errs).length) { setMsg(t('fixFirst')); return }
    }
    if (status === 'submitted' && queued) {
      await submitLater(id)
      await update(s, { answers: JSON.stringify(pruned), notes, status: 'draft' })
    } else {
      await update(s, { answers: JSON.stringify(pruned), notes, status })
    }
    setMsg(t('status.' + status) + ' ✓')
  }
  const locate = () => navigator.geolocation.getCurrentPosition(
    p => update(s, { location: JSON.stringify({ lon: p.coords.longitude, lat: p.coords.latitude }) }),
    () => setMsg(t('locationFailed')), { enableHighAccuracy: true, timeout: 15000 })
  const addPhoto = async ev => {
    await addPhotos(id, [...ev.target.files])
    ev.target.value = ''
    syncNowIfOnline()
  }
  return (
    <section>
      <button type="button" class="link" onClick={() => go(e ? '/e/' + e.id : '/')}>‹ {e ? e._raw.name : t('back')}</button>
      <div class="card">
        <h2>{form ? form._raw.title : ''}</h2>
        <p><span class={'st ' + st} data-testid="survey-status">{t('status.' + st)}</span> <Badge record={s} />
          {submitWaitsForPhotos(id) ? <span class="muted"> {t('submitAfterPhotos')}</span> : null}</p>
        {st === 'returned' ? <p class="err" data-testid="returned">{t('returnedBanner')}
          {s._raw.review_note ? <><br />{t('returnReason')}<span data-testid="review-note">{s._raw.review_note}</span></> : null}</p> : null}
        <Refusal table="surveys" record={s} />
        {readOnly ? <p class="muted">{t('readOnly')}</p> : null}
      </div>
      <div class="card">
        <h3>{t('location')}</h3>
        {loc ? <p data-testid="location">{loc.lat.toFixed(5)}, {loc.lon.toFixed(5)}</p> : null}
        {readOnly ? null : <button type="button" class="secondary" onClick={locate} data-testid="locate">{t('getLocation')}</button>}
        <h3>{t('photos')}</h3>
        <p class="muted" data-testid="photos">{parseJSON(s._raw.photos, []).length} ✓{queued ? ' · ' + t('photoQueued', { n: queued }) : ''}</p>
        {readOnly ? null : <label class="secondary button">{t('addPhoto')}
          <input type="file" accept="image/*" capture="environment" multiple hidden onChange={addPhoto} data-testid="photo" /></label>}
      </div>
      {schema ? <form class="card survey" onSubmit={ev => ev.preventDefault()}>
        <SchemaField schema={schema} name="" value={answers} onChange={setAnswers} errors={errors} readOnly={readOnly} />
        <label class="field"><span class="label">{t('visitNotes')}</span>
          <textarea rows={3} disabled={readOnly} value={notes} onInput={e => setNotes(e.target.value)} data-testid="notes" /></label>
      </form> : null}
      {state.session.user.role === 'admin' && st === 'submitted' ? <Review survey={s} setMsg={setMsg} /> : null}
      {msg ? <p class="msg" data-testid="survey-msg">{msg}</p> : null}
      {readOnly ? null : <div class="row sticky">
        <button type="button" class="secondary" onClick={() => save('draft')} data-testid="save-draft">{t('saveDraft')}</button>
        <button type="button" onClick={() => save('submitted')} data-testid="submit">{t('submit')}</button>
      </div>}
    </section>
  )
}
// Review is an administrator's verdict on a submitted survey: reviewed, or returned with the
// reason its officer will read beside it (the server refuses a return without one).
function Review({ survey, setMsg }) {
  const [note, setNote] = useState('')
  const [err, setErr] = useState('')
  const decide = async status => {
    if (status === 'returned' && !note.trim()) { setErr(t('noteFirst')); return }
    setErr('')
    await update(survey, status === 'returned' ? { status, review_note: note.trim() } : { status })
    setMsg(t('status.' + status) + ' ✓')
    syncNowIfOnline()
  }
  return (
    <div class="card">
      <h3>{t('review')}</h3>
      <label class="field"><span class="label">{t('reviewNote')}</span>
        <textarea rows={2} value={note} onInput={e => setNote(e.target.value)} data-testid="review-input" /></label>
      {err ? <p class="err" data-testid="review-err">{err}</p> : null}
      <div class="row">
        <button type="button" class="secondary" onClick={() => decide('returned')} data-testid="return">{t('returnSurvey')}</button>
        <button type="button" onClick={() => decide('reviewed')} data-testid="mark-reviewed">{t('markReviewed')}</button>
      </div>
    </div>
  )
}

const syncNowIfOnline = () => { if (navigator.onLine) syncNow() }

function Officer({ route }) {
  if (route === '/new-enterprise') return <EnterpriseForm />
  if (route.startsWith('/e/')) return <EnterpriseView id={route.slice(3)} />
  if (route.startsWith('/s/')) return <SurveyView id={route.slice(3)} />
  return <Enterprises />
}

// ---------- engineer ----------

// monthOf is the Asia/Shanghai month of an instant, "2026-03".
const monthOf = ms => shanghaiDay(ms).slice(0, 7)

// summary counts a month as the cohort export does (hooks/lib/workbook/README.md): a city's day
// is a day with a work or training entry there, or a trip departing from or arriving in it; a
// trip counts, whole, in the month it departs.
function summary(month, trips, entries) {
  const days = { chengdu: new Set(), dazu: new Set() }
  const mark = (city, ms) => { const d = shanghaiDay(ms); if (d.startsWith(month)) days[city].add(d) }
  for (const e of entries) if (e.kind !== 'leave') mark(e.city, e.starts_at)
  let n = 0, secs = 0, fen = 0
  for (const tr of trips) {
    mark(tr.from_city, tr.depart_at)
    mark(tr.to_city, tr.arrive_at)
    if (monthOf(tr.depart_at) === month) { n++; secs += Math.round((tr.arrive_at - tr.depart_at) / 1000); fen += Math.round((tr.cost_yuan || 0) * 100) }
  }
  return { chengdu: days.chengdu.size, dazu: days.dazu.size, trips: n, hours: secs / 3600, cost: fen / 100 }
}

const USUAL = { from_city: 'chengdu', to_city: 'dazu', mode: 'hsr', minutes: 75, distance_km: 230, cost_yuan: 96.5 }

function TripForm({ engineer, trip, others, entries, done }) {
  const now = Date.now()
  const init = trip ? trip._raw : null
  const [v, setV] = useDraft('trip.' + (trip ? trip.id : 'new'), () => ({
    from_city: init ? init.from_city : USUAL.from_city, to_city: init ? init.to_city : USUAL.to_city, mode: init ? init.mode : USUAL.mode,
    day: shanghaiDay(init ? init.depart_at : now),
    depart: shanghai(init ? init.depart_at : now - 90 * 60e3).slice(11),
    arrive: shanghai(init ? init.arrive_at : now - 15 * 60e3).slice(11),
    arriveDay: shanghaiDay(init ? init.arrive_at : now - 15 * 60e3),
    cost_yuan: init ? init.cost_yuan : USUAL.cost_yuan, distance_km: init ? init.distance_km : USUAL.distance_km, note: init ? init.note : '',
  }))
  const [errs, setErrs] = useState({})
  const set = k => e => setV({ ...v, [k]: e.target.value })
  const usual = (from, to) => {
    const depart = v.depart
    const arrMs = fromShanghai(v.day, depart) + USUAL.minutes * 60e3
    setV({ ...v, from_city: from, to_city: to, mode: 'hsr', arrive: shanghai(arrMs).slice(11), arriveDay: shanghaiDay(arrMs), cost_yuan: USUAL.cost_yuan, distance_km: USUAL.distance_km })
  }
  const save = async e => {
    e.preventDefault()
    const raw = {
      engineer: engineer.id, from_city: v.from_city, to_city: v.to_city, mode: v.mode,
      depart_at: fromShanghai(v.day, v.depart), arrive_at: fromShanghai(v.arriveDay, v.arrive),
      cost_yuan: Number(v.cost_yuan) || 0, distance_km: Number(v.distance_km) || 0, note: v.note || '',
    }
    const found = checkTrip({ ...raw, id: trip && trip.id }, others, entries)
    setErrs(found)
    if (Object.keys(found).length) return
    if (trip) await update(trip, raw)
    else await create('commute_logs', raw)
    setV.clear()
    done()
  }
  const cityOpts = ['chengdu', 'dazu'].map(c => <option key={c} value={c}>{t('cities.' + c)}</option>)
  const err = k => (errs[k] ? <span class="err" data-testid={'err-' + k}>{t('serverRule')}{errs[k]}</span> : null)
  return (
    <form class="card" onSubmit={save} data-testid="trip-form">
      <div class="row wrap"><span class="muted">{t('usual')}</span>
        <button type="button" class="chip" onClick={() => usual('chengdu', 'dazu')} data-testid="usual-cd">成都东 → 大足南</button>
        <button type="button" class="chip" onClick={() => usual('dazu', 'chengdu')} data-testid="usual-dc">大足南 → 成都东</button></div>
      <div class="row">
        <label class="field grow"><span class="label">{t('tripFrom')}</span><select name="from_city" value={v.from_city} onChange={set('from_city')}>{cityOpts}</select></label>
        <label class="field grow"><span class="label">{t('tripTo')}</span><select name="to_city" value={v.to_city} onChange={set('to_city')}>{cityOpts}</select></label>
      </div>
      {err('to_city')}
      <label class="field"><span class="label">{t('day')}</span><input name="day" type="date" value={v.day} onInput={e => setV({ ...v, day: e.target.value, arriveDay: e.target.value })} /></label>
      <div class="row">
        <label class="field grow"><span class="label">{t('depart')}</span><input name="depart" type="time" value={v.depart} onInput={set('depart')} /></label>
        <label class="field grow"><span class="label">{t('arrive')}</span><input name="arrive" type="time" value={v.arrive} onInput={set('arrive')} /></label>
      </div>
      {err('depart_at')}{err('arrive_at')}
      <div class="row">
        <label class="field grow"><span class="label">{t('mode')}</span><select name="mode" value={v.mode} onChange={set('mode')}>
          {Object.entries(t('modes')).map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select></label>
        <label class="field grow"><span class="label">{t('cost')}</span><input name="cost_yuan" type="number" step="0.01" min="0" inputMode="decimal" value={v.cost_yuan} onInput={set('cost_yuan')} /></label>
      </div>
      <label class="field"><span class="label">{t('note')}</span><input name="note" value={v.note} onInput={set('note')} /></label>
      <div class="row"><button type="submit" data-testid="save-trip">{t('save')}</button>
        <button type="button" class="secondary" onClick={() => { setV.clear(); done() }}>{t('cancel')}</button>
        {trip ? <button type="button" class="link danger" onClick={async () => { setV.clear(); await remove(trip); done() }}>{t('deleteTrip')}</button> : null}</div>
    </form>
  )
}

const KINDS = ['work', 'training', 'leave']

// EntryForm plans a day: where the engineer works, trains or is on leave, and when.
function EntryForm({ engineer, entry, trips, entries, done }) {
  const init = entry ? entry._raw : null
  const [v, setV] = useDraft('entry.' + (entry ? entry.id : 'new'), () => ({
    day: init ? shanghaiDay(init.starts_at) : shanghaiDay(Date.now() + 24 * 3600e3),
    city: init ? init.city : 'dazu', kind: init ? init.kind : 'work', employer: init ? init.employer : '',
    start: init ? shanghai(init.starts_at).slice(11) : '09:00', end: init ? shanghai(init.ends_at).slice(11) : '17:30',
  }))
  const [errs, setErrs] = useState({})
  const set = k => e => setV({ ...v, [k]: e.target.value })
  const save = async e => {
    e.preventDefault()
    const starts = fromShanghai(v.day, v.start)
    // 00:00 as the end is the midnight that closes the day.
    const ends = v.end === '00:00' ? fromShanghai(v.day, '00:00') + 24 * 3600e3 : fromShanghai(v.day, v.end)
    const [y, m, d] = v.day.split('-').map(Number)
    const raw = { engineer: engineer.id, day: Date.UTC(y, m - 1, d), city: v.city, kind: v.kind, employer: v.employer, starts_at: starts, ends_at: ends }
    const found = checkEntry({ ...raw, id: entry && entry.id }, trips, entries)
    setErrs(found)
    if (Object.keys(found).length) return
    if (entry) await update(entry, raw)
    else await create('schedules', raw)
    setV.clear()
    done()
  }
  const err = k => (errs[k] ? <span class="err" data-testid={'err-' + k}>{t('serverRule')}{errs[k]}</span> : null)
  return (
    <form class="card" onSubmit={save} data-testid="entry-form">
      <h2>{t('planDay')}</h2>
      <label class="field"><span class="label">{t('day')}</span><input name="day" type="date" value={v.day} onInput={set('day')} /></label>
      <div class="row">
        <label class="field grow"><span class="label">{t('city')}</span><select name="city" value={v.city} onChange={set('city')}>
          {['chengdu', 'dazu'].map(c => <option key={c} value={c}>{t('cities.' + c)}</option>)}</select></label>
        <label class="field grow"><span class="label">{t('kind')}</span><select name="kind" value={v.kind} onChange={set('kind')}>
          {KINDS.map(k => <option key={k} value={k}>{t('kinds.' + k)}</option>)}</select></label>
      </div>
      <div class="row">
        <label class="field grow"><span class="label">{t('starts')}</span><input name="start" type="time" value={v.start} onInput={set('start')} /></label>
        <label class="field grow"><span class="label">{t('ends')}</span><input name="end" type="time" value={v.end} onInput={set('end')} /></label>
      </div>
      {err('starts_at')}{err('ends_at')}
      <label class="field"><span class="label">{t('employer')}</span><input name="employer" value={v.employer} onInput={set('employer')} /></label>
      <div class="row"><button type="submit" data-testid="save-entry">{t('save')}</button>
        <button type="button" class="secondary" onClick={() => { setV.clear(); done() }}>{t('cancel')}</button>
        {entry ? <button type="button" class="link danger" onClick={async () => { setV.clear(); await remove(entry); done() }}>{t('remove')}</button> : null}</div>
    </form>
  )
}

function Engineer({ route }) {
  const [month, setMonth] = useState(monthOf(Date.now()))
  const data = useData(async () => {
    const eng = (await all('engineers', Q.where('user', state.session.user.id)))[0]
    if (!eng) return { eng: null }
    const trips = await all('commute_logs', Q.where('engineer', eng.id), Q.sortBy('depart_at', Q.desc))
    const entries = await all('schedules', Q.where('engineer', eng.id))
    return { eng, trips, entries }
  })
  if (!data) return null
  if (!data.eng) return <p class="muted">{t('noEngineer')}</p>
  const { eng, trips, entries } = data
  const editing = route.startsWith('/trip/') ? trips.find(x => x.id === route.slice(6)) : null
  const others = trips.map(x => x._raw)
  const plans = entries.map(x => x._raw)
  if (route === '/new-trip' || editing) return <TripForm engineer={eng} trip={editing} others={others} entries={plans} done={() => go('/')} />
  const editingEntry = route.startsWith('/entry/') ? entries.find(x => x.id === route.slice(7)) : null
  if (route === '/new-entry' || editingEntry) return <EntryForm engineer={eng} entry={editingEntry} trips={others} entries={plans} done={() => go('/')} />
  const sum = summary(month, others, plans)
  const shown = trips.filter(x => monthOf(x._raw.depart_at) === month || x._raw._status !== 'synced')
  const shownEntries = entries.filter(x => monthOf(x._raw.starts_at) === month || x._raw._status !== 'synced')
    .sort((a, b) => a._raw.starts_at - b._raw.starts_at)
  return (
    <section>
      <button type="button" class="big" onClick={() => go('/new-trip')} data-testid="log-trip">＋ {t('logTrip')}</button>
      <div class="card">
        <label class="field"><span class="label">{t('month')}</span>
          <input type="month" value={month} onInput={e => e.target.value && setMonth(e.target.value)} data-testid="month" /></label>
        <dl class="stats" data-testid="summary">
          <div><dt>{t('chengduDays')}</dt><dd data-testid="chengdu-days">{sum.chengdu}</dd></div>
          <div><dt>{t('dazuDays')}</dt><dd data-testid="dazu-days">{sum.dazu}</dd></div>
          <div><dt>{t('tripCount')}</dt><dd data-testid="trip-count">{sum.trips}</dd></div>
          <div><dt>{t('hours')}</dt><dd data-testid="hours">{sum.hours.toFixed(2)}</dd></div>
          <div><dt>{t('totalCost')}</dt><dd data-testid="cost">{sum.cost.toFixed(2)}</dd></div>
        </dl>
      </div>
      <h3>{t('trips')}</h3>
      <ul class="list">
        {shown.map(x => (
          <li key={x.id} onClick={() => go('/trip/' + x.id)} data-testid="trip" data-id={x.id}>
            <span class="title">{t('cities.' + x._raw.from_city)} → {t('cities.' + x._raw.to_city)} · {t('modes.' + x._raw.mode)}</span>
            <span class="muted">{shanghai(x._raw.depart_at)}–{shanghai(x._raw.arrive_at).slice(11)}</span>
            <Badge record={x} />{x._raw.note ? <span class="muted">{x._raw.note}</span> : null}
            <Refusal table="commute_logs" record={x} />
          </li>
        ))}
      </ul>
      <div class="row"><h3 class="grow">{t('schedule')}</h3>
        <button type="button" class="secondary" onClick={() => go('/new-entry')} data-testid="plan-day">＋ {t('planDay')}</button></div>
      <ul class="list">
        {shownEntries.map(x => (
          <li key={x.id} onClick={() => go('/entry/' + x.id)} data-testid="entry" data-id={x.id}>
            <span class="title">{shanghaiDay(x._raw.starts_at)} · {t('cities.' + x._raw.city)} · {t('kinds.' + x._raw.kind)}</span>
            <span class="muted">{shanghai(x._raw.starts_at).slice(11)}–{shanghai(x._raw.ends_at).slice(11)}{x._raw.employer ? ' · ' + x._raw.employer : ''}</span>
            <Badge record={x} /><Refusal table="schedules" record={x} />
          </li>
        ))}
      </ul>
    </section>
  )
}

// ---------- coordinator ----------

function Coordinator() {
  const cohorts = useData(() => all('cohorts', Q.where('coordinator', state.session.user.id), Q.sortBy('name', Q.asc)))
  const thisMonth = monthOf(Date.now())
  const [v, setV] = useState({ cohort: '', from: thisMonth, to: thisMonth, format: 'xlsx' })
  const [jobs, setJobs] = useState([])
  const [err, setErr] = useState('')
  const load = async () => {
    if (!navigator.onLine) return
    try { setJobs((await api('GET', '/api/collections/exports/records?perPage=20&sort=-created')).items) } catch (e) { setErr(e.message) }
  }
  useEffect(() => { load(); const i = setInterval(() => { load() }, 2000); return () => clearInterval(i) }, [])
  if (!cohorts) return null
  if (!cohorts.length) return <p class="muted">{t('noCohorts')}</p>
  const cohort = v.cohort || cohorts[0].id
  const request = async e => {
    e.preventDefault(); setErr('')
    try {
      await api('POST', '/api/collections/exports/records', { kind: 'cohort', cohort, period_from: v.from, period_to: v.to, format: v.format, requested_by: state.session.user.id })
      load()
    } catch (x) { setErr(x.body && x.body.data ? Object.entries(x.body.data).map(([k, d]) => `${k}: ${d.message}`).join('; ') : x.message) }
  }
  const download = async job => {
    const { token } = await api('POST', '/api/files/token')
    location.href = `/api/files/exports/${job.id}/${job.file}?token=${encodeURIComponent(token)}&download=1`
  }
  const set = k => e => setV({ ...v, [k]: e.target.value })
  const names = Object.fromEntries(cohorts.map(c => [c.id, c._raw.name]))
  return (
    <section>
      <form class="card" onSubmit={request}>
        <h2>{t('exports')}</h2>
        <label class="field"><span class="label">{t('cohort')}</span><select name="cohort" value={cohort} onChange={set('cohort')}>
          {cohorts.map(c => <option key={c.id} value={c.id}>{c._raw.name}</option>)}</select></label>
        <div class="row">
          <label class="field grow"><span class="label">{t('from')}</span><input name="from" type="month" value={v.from} onInput={set('from')} /></label>
          <label class="field grow"><span class="label">{t('to')}</span><input name="to" type="month" value={v.to} onInput={set('to')} /></label>
        </div>
        <label class="field"><span class="label">{t('format')}</span><select name="format" value={v.format} onChange={set('format')}>
          <option value="xlsx">XLSX</option><option value="csv">CSV (zip)</option></select></label>
        {err ? <p class="err">{err}</p> : null}
        <button type="submit" disabled={!navigator.onLine} data-testid="request-export">{navigator.onLine ? t('requestExport') : t('needsOnline')}</button>
      </form>
      <ul class="list">
        {jobs.map(j => (
          <li key={j.id} data-testid="export" data-status={j.status}>
            <span class="title">{names[j.cohort] || j.kind} · {j.period_from}–{j.period_to}</span>
            <span class={'st ' + j.status}>{t('exportStatus.' + j.status) || j.status}</span>
            {j.total_rows ? <span class="muted">{t('rows', { n: j.total_rows })}</span> : null}
            {j.error ? <span class="err">{j.error}</span> : null}
            {j.status === 'done' && j.file ? <button type="button" class="secondary" onClick={() => download(j)} data-testid="download">{t('download')}</button> : null}
          </li>
        ))}
      </ul>
    </section>
  )
}

function App() {
  const s = useStore()
  const route = useHash()
  if (!s.session) return <SignIn />
  if (!s.db) return <p class="boot">…</p>
  const role = s.session.user.role
  return (
    <div class="shell">
      <Header />
      <SyncBar />
      {s.sync.expired ? <SignIn again={s.session.user.email} /> : null}
      <main>
        {role === 'officer' || role === 'admin' ? <Officer route={route} /> : null}
        {role === 'engineer' ? <Engineer route={route} /> : null}
        {role === 'coordinator' ? <Coordinator /> : null}
      </main>
    </div>
  )
}

setLang(lang())
start()
const root = document.getElementById('app')
root.textContent = '' // the page's boot message
render(<App />, root)
// keepShell installs the service worker that keeps the app shell for offline use. An install that
// fails (a file of the shell not fetched on a poor network) leaves no worker until the next page
// load, so it is tried again, less and less often, while the page stays open.
function keepShell(delay = 2000) {
  const again = () => setTimeout(() => keepShell(Math.min(delay * 2, 5 * 60 * 1000)), delay)
  navigator.serviceWorker.register('/sw.js').then(reg => {
    const w = reg.installing
    if (w) w.addEventListener('statechange', () => { if (w.state === 'redundant' && !reg.active) again() })
  }, again)
}
if ('serviceWorker' in navigator) keepShell()

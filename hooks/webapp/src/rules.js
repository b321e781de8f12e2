// The server's data rules, checked on the device before sync so that a mistake is shown while the
// person still has the paper in hand. Limits and wording come from rules.json, which the Go tests
// check against hooks/validate: the server stays the judge, this only spares a round trip.
import rules from './rules.json'

const M = rules.messages

// message fills a message template of rules.json: {name} takes vars[name].
export function message(code, vars = {}) {
  return M[code].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]))
}

// halfWidth folds full-width ASCII (what a Chinese input method types: ９１５…) and the ideographic
// space to their ASCII forms, as the server's width.Fold does for them (hooks/validate/uscc.go).
const halfWidth = s => s.replace(/[\uFF01-\uFF5E\u3000]/g, c => c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xFEE0))

// checkUSCC returns [code, null] for a valid credit code (full-width folded, trimmed, upper-case)
// or [null, message].
export function checkUSCC(raw) {
  const code = halfWidth(String(raw || '')).trim().toUpperCase()
  if (code.length !== 18) return [null, message('validation_uscc_length')]
  const { alphabet, weights } = rules.uscc
  for (const ch of code) {
    if (alphabet.indexOf(ch) < 0) return [null, message('validation_uscc_character', { char: ch })]
  }
  let sum = 0
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(code[i]) * weights[i]
  if (code[17] !== alphabet[(31 - (sum % 31)) % 31]) return [null, message('validation_uscc_check')]
  return [code, null]
}

// phoneDigits drops what people write between digits and the country code.
export function phoneDigits(raw) {
  let d = String(raw || '').replace(/[\s\-().]/g, '')
  if (d.startsWith('+86')) d = d.slice(3)
  else if (d.startsWith('0086')) d = d.slice(4)
  if (!d.startsWith('1') && !d.startsWith('0') && /^[2-9]/.test(d)) d = '0' + d // +86 28 … is 028 …
  return d
}

// checkPhone returns null for a Chinese mobile or landline, or the server's message.
export function checkPhone(raw) {
  if (!String(raw || '').trim()) return null
  const d = phoneDigits(raw)
  if (new RegExp(rules.phone.mobile).test(d) || new RegExp(rules.phone.landline).test(d)) return null
  return message('validation_invalid_phone')
}

const pad = n => String(n).padStart(2, '0')

// shanghai writes an instant (ms) as Asia/Shanghai wall-clock time, "2026-03-02 18:00", as the
// server does (UTC+8, no DST).
export function shanghai(ms) {
  const d = new Date(ms + 8 * 3600e3)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

// shanghaiDay is the Asia/Shanghai calendar day of an instant, "2026-03-02".
export function shanghaiDay(ms) { return shanghai(ms).slice(0, 10) }

// fromShanghai reads "2026-03-02" and "18:00" as Asia/Shanghai wall-clock time, in ms.
export function fromShanghai(day, time) {
  const [y, mo, d] = day.split('-').map(Number)
  const [h, mi] = time.split(':').map(Number)
  return Date.UTC(y, mo - 1, d, h - 8, mi)
}

// overlap describes, with the server's wording, the first of the engineer's trips or schedule
// entries on this device that shares time with [start, end), as hooks/validate's findOverlap
// does: a leave entry never clashes with a trip, and a trip never with a leave entry.
function overlap(self, start, end, trips, entries, { isEntry, isLeave }) {
  const clash = (list, s, e) => list.filter(o => o.id !== self && o[s] < end && o[e] > start).sort((a, b) => a[s] - b[s])[0]
  if (!isLeave) {
    const tr = clash(trips, 'depart_at', 'arrive_at')
    if (tr) return message('validation_overlap_trip', { id: tr.id, from: tr.from_city, to: tr.to_city, start: shanghai(tr.depart_at), end: shanghai(tr.arrive_at) })
  }
  const en = clash(isEntry ? entries : entries.filter(x => x.kind !== 'leave'), 'starts_at', 'ends_at')
  if (en) return message('validation_overlap_entry', { kind: en.kind, id: en.id, city: en.city, start: shanghai(en.starts_at), end: shanghai(en.ends_at) })
  return ''
}

// checkTrip returns {field: message} for what the server would refuse of a trip, given the
// engineer's other trips and schedule entries on this device and the device's clock (the
// server uses its own).
export function checkTrip(trip, trips, entries = [], now = Date.now()) {
  const errs = {}
  const { minMinutes, maxHours, maxClockSkewMinutes } = rules.trip
  if (trip.from_city && trip.from_city === trip.to_city) errs.to_city = message('validation_same_city')
  const dep = trip.depart_at, arr = trip.arrive_at
  if (!dep || !arr) return errs
  const mins = (arr - dep) / 60e3
  if (mins <= 0) errs.arrive_at = message('validation_arrive_before_depart')
  else if (mins < minMinutes) errs.arrive_at = message('validation_trip_too_short', { min: minMinutes, got: Math.trunc(mins) })
  else if (mins > maxHours * 60) errs.arrive_at = message('validation_trip_too_long', { max: maxHours, got: (mins / 60).toFixed(1) })
  if (dep > now + maxClockSkewMinutes * 60e3) errs.depart_at = message('validation_depart_in_future', { at: shanghai(dep) })
  if (Object.keys(errs).length) return errs
  const msg = overlap(trip.id, dep, arr, trips, entries, { isEntry: false, isLeave: false })
  if (msg) errs.depart_at = msg
  return errs
}

// checkEntry returns {field: message} for what the server would refuse of a schedule entry: it
// ends after it starts, within one Asia/Shanghai day (ending at midnight is fine), and does not
// overlap the engineer's other entries or, unless it is leave, their trips.
export function checkEntry(entry, trips, entries) {
  const errs = {}
  const start = entry.starts_at, end = entry.ends_at
  if (!start || !end) return errs
  const day = shanghaiDay(start)
  if (end <= start) errs.ends_at = message('validation_ends_before_starts')
  else if (shanghaiDay(end) !== day && end !== fromShanghai(day, '00:00') + 24 * 3600e3) {
    errs.ends_at = message('validation_not_same_day', { start: shanghai(start), end: shanghai(end) })
  }
  if (Object.keys(errs).length) return errs
  const msg = overlap(entry.id, start, end, trips, entries, { isEntry: true, isLeave: entry.kind === 'leave' })
  if (msg) errs.starts_at = msg
  return errs
}

// A form drawn from the published survey form's JSON Schema, so that a new form version needs no
// new app: objects become fieldsets, arrays of objects repeatable groups, arrays of an enum
// checkbox lists, enums selects, long strings text areas. check() marks what the server's
// schema validation would refuse, by the answer's path; the server remains the judge.
import { t } from './i18n.js'

const isEmpty = v => v === undefined || v === null || v === ''

// check returns {"/rd/spend_wan": message} for the answers' problems under the schema.
export function check(schema, value, path = '', out = {}) {
  if (!schema) return out
  if (schema.type === 'object') {
    const v = value || {}
    for (const k of schema.required || []) {
      const sub = schema.properties[k]
      if (isEmpty(v[k]) && sub.type !== 'object' && sub.type !== 'array') out[`${path}/${k}`] = t('required')
    }
    for (const [k, sub] of Object.entries(schema.properties || {})) {
      if (!isEmpty(v[k]) || (schema.required || []).includes(k)) check(sub, v[k] === undefined && sub.type === 'object' ? {} : v[k], `${path}/${k}`, out)
    }
  } else if (schema.type === 'array') {
    const v = value || []
    if (schema.maxItems !== undefined && v.length > schema.maxItems) out[path] = t('tooMany', { n: schema.maxItems })
    v.forEach((item, i) => check(schema.items, item, `${path}/${i}`, out))
  } else if (!isEmpty(value)) {
    if (schema.type === 'number' || schema.type === 'integer') {
      if (schema.type === 'integer' && !Number.isInteger(value)) out[path] = t('mustInt')
      else if (schema.minimum !== undefined && value < schema.minimum) out[path] = t('mustMin', { n: schema.minimum })
      else if (schema.maximum !== undefined && value > schema.maximum) out[path] = t('mustMax', { n: schema.maximum })
    } else if (schema.type === 'string') {
      if (schema.minLength !== undefined && value.length < schema.minLength) out[path] = t('tooShort', { n: schema.minLength })
      else if (schema.maxLength !== undefined && value.length > schema.maxLength) out[path] = t('tooLong', { n: schema.maxLength })
    }
  }
  return out
}

// prune drops empty strings and empty objects that the officer left blank, so a draft's answers
// hold only what was typed.
export function prune(v) {
  if (Array.isArray(v)) return v.map(prune)
  if (v && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x)
      if (p === '' || p === undefined || p === null) continue
      if (p && typeof p === 'object' && !Array.isArray(p) && !Object.keys(p).length) continue
      o[k] = p
    }
    return o
  }
  return v
}

function Label({ schema, name, required }) {
  return <span class="label">{schema.title || name}{required ? <b class="req"> *</b> : null}</span>
}

export function SchemaField({ schema, name, value, onChange, path = '', errors = {}, readOnly, required }) {
  const err = errors[path]
  const id = 'f' + path.replace(/\//g, '_')
  if (schema.type === 'object') {
    const v = value || {}
    return (
      <fieldset class="group" data-path={path}>
        {path ? <legend>{schema.title || name}</legend> : null}
        {Object.entries(schema.properties || {}).map(([k, sub]) => (
          <SchemaField key={k} schema={sub} name={k} value={v[k]} path={`${path}/${k}`} errors={errors} readOnly={readOnly}
            required={(schema.required || []).includes(k)} onChange={x => onChange({ ...v, [k]: x })} />
        ))}
      </fieldset>
    )
  }
  if (schema.type === 'array' && schema.items && schema.items.enum) {
    const v = value || []
    return (
      <fieldset class="group" data-path={path}>
        <legend>{schema.title || name}</legend>
        {schema.items.enum.map(opt => (
          <label class="check" key={opt}>
            <input type="checkbox" disabled={readOnly} checked={v.includes(opt)}
              onChange={e => onChange(e.target.checked ? [...v, opt] : v.filter(x => x !== opt))} /> {opt}
          </label>
        ))}
      </fieldset>
    )
  }
  if (schema.type === 'array') {
    const v = value || []
    return (
      <fieldset class="group" data-path={path}>
        <legend>{schema.title || name}</legend>
        {v.map((item, i) => (
          <div class="item" key={i}>
            <SchemaField schema={schema.items} name={String(i + 1)} value={item} path={`${path}/${i}`} errors={errors} readOnly={readOnly}
              onChange={x => onChange(v.map((y, j) => (j === i ? x : y)))} />
            {readOnly ? null : <button type="button" class="link" onClick={() => onChange(v.filter((_, j) => j !== i))}>{t('remove')}</button>}
          </div>
        ))}
        {readOnly || (schema.maxItems !== undefined && v.length >= schema.maxItems) ? null
          : <button type="button" class="secondary" data-add={path} onClick={() => onChange([...v, {}])}>＋ {t('add')}{schema.title ? ' · ' + schema.title : ''}</button>}
        {err ? <p class="err">{err}</p> : null}
      </fieldset>
    )
  }
  let input
  if (schema.type === 'boolean') {
    return (
      <label class="check" data-path={path}>
        <input id={id} type="checkbox" disabled={readOnly} checked={!!value} onChange={e => onChange(e.target.checked)} /> {schema.title || name}
      </label>
    )
  } else if (schema.enum) {
    input = (
      <select id={id} disabled={readOnly} value={value || ''} onChange={e => onChange(e.target.value || undefined)}>
        <option value="">—</option>
        {schema.enum.map(o => <option key={o} value={o}>{o}</option>)}
      </select>
    )
  } else if (schema.type === 'number' || schema.type === 'integer') {
    input = (
      <input id={id} type="number" inputMode={schema.type === 'integer' ? 'numeric' : 'decimal'} step={schema.type === 'integer' ? 1 : 'any'}
        disabled={readOnly} value={value === undefined ? '' : value}
        onInput={e => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
    )
  } else if (schema.maxLength && schema.maxLength > 200) {
    input = <textarea id={id} rows={3} disabled={readOnly} value={value || ''} onInput={e => onChange(e.target.value)} />
  } else {
    input = <input id={id} type="text" disabled={readOnly} value={value || ''} onInput={e => onChange(e.target.value)} />
  }
  return (
    <label class={'field' + (err ? ' bad' : '')} data-path={path}>
      <Label schema={schema} name={name} required={required} />
      {input}
      {err ? <span class="err">{err}</span> : null}
    </label>
  )
}

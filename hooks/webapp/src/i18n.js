// The app's words: Chinese first, English on the switch. t('key', {n: 3}) fills {n}.
const zh = {
  appName: '飞地', signIn: '登录', email: '邮箱', password: '密码', signOut: '退出',
  signInFailed: '登录失败：邮箱或密码不对', offlineNoSession: '离线时无法首次登录，请联网后登录。',
  signOutWarn: '本机还有 {n} 条记录未同步，退出会删除它们。仍要退出吗？', signOutOk: '退出并清除本机数据？',
  roles: { officer: '驻企服务专员', engineer: '双聘工程师', coordinator: '培训协调员', admin: '管理员' },
  tables: { enterprises: '企业', surveys: '问卷', needs: '需求', commute_logs: '行程', schedules: '日程', cohorts: '队列',
    cohort_members: '学员', engineers: '工程师', survey_forms: '表单', photos: '照片' },
  sync: '同步', syncing: '同步中…', waiting: '{n} 条待同步', allSynced: '已全部同步', lastSync: '上次同步 {at}',
  neverSynced: '尚未同步', offline: '离线', retryIn: '服务器繁忙，{s} 秒后重试', syncFailed: '同步失败：{msg}',
  sessionExpired: '登录已过期，请重新登录（本机数据保留）',
  refused: '服务器拒绝 {n} 条', refusedReason: '服务器拒绝：', pending: '待同步', synced: '已同步',
  enterprises: '企业', surveys: '问卷', search: '按名称或信用代码搜索', addEnterprise: '新增企业',
  name: '名称', uscc: '统一社会信用代码', industry: '行业', park: '园区', town: '镇街', contactName: '联系人',
  contactPhone: '联系电话', save: '保存', cancel: '取消', back: '返回', noResults: '没有找到企业',
  industries: { hardware: '五金', auto_moto: '汽摩', medical_device: '医疗器械', aerospace: '航空航天',
    low_altitude: '低空经济', digital_culture: '数字文创', new_material: '新材料', other: '其他' },
  parks: { '': '—', shuangqiao_edz: '双桥经开区', dazu_hitech: '大足高新区', other: '其他' },
  newSurvey: '新建问卷', noForm: '本机还没有已发布的问卷表单，请先同步。',
  status: { draft: '草稿', submitted: '已提交', reviewed: '已审核', returned: '已退回' },
  saveDraft: '存草稿', submit: '提交', returnedBanner: '管理员已退回这份问卷：请修改后重新提交。', returnReason: '退回原因：', review: '审核', reviewNote: '退回原因（退回时必填）', markReviewed: '审核通过', returnSurvey: '退回', noteFirst: '退回前请写明原因', schemaUpdate: '应用有更新的数据结构，重新打开后生效', reopen: '重新打开', visitNotes: '走访备注', readOnly: '已提交的问卷不可修改',
  location: '位置', getLocation: '记录当前位置', locationFailed: '无法获取位置', photos: '照片', addPhoto: '拍照 / 选照片',
  photoQueued: '{n} 张照片待上传', submitAfterPhotos: '照片上传后提交', add: '添加', remove: '删除', required: '必填', fixFirst: '请先改正标红的项目',
  mustMin: '不能小于 {n}', mustMax: '不能大于 {n}', mustInt: '须为整数', tooShort: '至少 {n} 个字', tooLong: '最多 {n} 个字', tooMany: '最多 {n} 项',
  trips: '行程', logTrip: '记录行程', tripFrom: '出发', tripTo: '到达', depart: '出发时间', arrive: '到达时间', day: '日期',
  mode: '方式', modes: { hsr: '高铁', train: '火车', bus: '大巴', car: '自驾', carpool: '拼车', other: '其他' },
  cities: { chengdu: '成都', dazu: '大足' }, usual: '常用：', cost: '费用（元）', distance: '里程（公里）', note: '备注',
  month: '月份', chengduDays: '成都天数', dazuDays: '大足天数', tripCount: '跨城次数', hours: '时长（小时）', totalCost: '费用（元）',
  noEngineer: '本机没有您的工程师档案，请先同步。', schedule: '日程', planDay: '安排日程', city: '城市', kind: '类型', kinds: { work: '工作', training: '培训', leave: '请假' }, starts: '开始', ends: '结束', employer: '单位', edit: '修改', deleteTrip: '删除行程', serverRule: '服务器规则：',
  exports: '导出', cohort: '队列', from: '起始月份', to: '结束月份', format: '格式', requestExport: '申请导出',
  exportStatus: { queued: '排队中', running: '生成中', done: '已完成', failed: '失败' }, download: '下载', rows: '{n} 行',
  needsOnline: '需要联网', noCohorts: '本机没有您负责的队列，请先同步。', lang: 'EN',
}
const en = {
  appName: 'Feidi', signIn: 'Sign in', email: 'Email', password: 'Password', signOut: 'Sign out',
  signInFailed: 'Sign-in failed: wrong email or password', offlineNoSession: 'The first sign-in needs the network.',
  signOutWarn: '{n} records on this device have not synced; signing out deletes them. Sign out anyway?', signOutOk: 'Sign out and clear this device?',
  roles: { officer: 'Field officer', engineer: 'Engineer', coordinator: 'Coordinator', admin: 'Admin' },
  tables: { enterprises: 'enterprises', surveys: 'surveys', needs: 'needs', commute_logs: 'trips', schedules: 'schedule', cohorts: 'cohorts',
    cohort_members: 'members', engineers: 'engineers', survey_forms: 'forms', photos: 'photos' },
  sync: 'Sync', syncing: 'Syncing…', waiting: '{n} waiting to sync', allSynced: 'All synced', lastSync: 'Last sync {at}',
  neverSynced: 'Not synced yet', offline: 'Offline', retryIn: 'Server busy, retrying in {s} s', syncFailed: 'Sync failed: {msg}',
  sessionExpired: 'Session expired: sign in again (data on this device is kept)',
  refused: '{n} refused by the server', refusedReason: 'Refused by the server: ', pending: 'waiting', synced: 'synced',
  enterprises: 'Enterprises', surveys: 'Surveys', search: 'Search by name or credit code', addEnterprise: 'Add enterprise',
  name: 'Name', uscc: 'Unified social credit code', industry: 'Industry', park: 'Park', town: 'Town', contactName: 'Contact',
  contactPhone: 'Contact phone', save: 'Save', cancel: 'Cancel', back: 'Back', noResults: 'No enterprise found',
  industries: { hardware: 'Hardware', auto_moto: 'Auto & moto', medical_device: 'Medical devices', aerospace: 'Aerospace',
    low_altitude: 'Low-altitude', digital_culture: 'Digital culture', new_material: 'New materials', other: 'Other' },
  parks: { '': '—', shuangqiao_edz: 'Shuangqiao EDZ', dazu_hitech: 'Dazu Hi-tech Zone', other: 'Other' },
  newSurvey: 'New survey', noForm: 'No published survey form on this device yet: sync first.',
  status: { draft: 'Draft', submitted: 'Submitted', reviewed: 'Reviewed', returned: 'Returned' },
  saveDraft: 'Save draft', submit: 'Submit', returnedBanner: 'An administrator returned this survey: fix it and submit again.', returnReason: 'Reason: ', review: 'Review', reviewNote: 'Reason for returning (required to return)', markReviewed: 'Mark reviewed', returnSurvey: 'Return', noteFirst: 'Say why before returning it', schemaUpdate: 'The app has a newer data layout: it applies when the app reopens', reopen: 'Reopen', visitNotes: 'Visit notes', readOnly: 'A submitted survey cannot be changed',
  location: 'Location', getLocation: 'Record my location', locationFailed: 'Location unavailable', photos: 'Photos', addPhoto: 'Take / pick a photo',
  photoQueued: '{n} photo(s) waiting to upload', submitAfterPhotos: 'submitted once the photos are up', add: 'Add', remove: 'Remove', required: 'required', fixFirst: 'Fix the items marked in red first',
  mustMin: 'at least {n}', mustMax: 'at most {n}', mustInt: 'a whole number', tooShort: 'at least {n} characters', tooLong: 'at most {n} characters', tooMany: 'at most {n} items',
  trips: 'Trips', logTrip: 'Log a trip', tripFrom: 'From', tripTo: 'To', depart: 'Departs', arrive: 'Arrives', day: 'Date',
  mode: 'Mode', modes: { hsr: 'High-speed rail', train: 'Train', bus: 'Bus', car: 'Car', carpool: 'Carpool', other: 'Other' },
  cities: { chengdu: 'Chengdu', dazu: 'Dazu' }, usual: 'Usual: ', cost: 'Cost (yuan)', distance: 'Distance (km)', note: 'Note',
  month: 'Month', chengduDays: 'Chengdu days', dazuDays: 'Dazu days', tripCount: 'Trips', hours: 'Hours', totalCost: 'Cost (yuan)',
  noEngineer: 'No engineer record of yours on this device: sync first.', schedule: 'Schedule', planDay: 'Plan a day', city: 'City', kind: 'Kind', kinds: { work: 'Work', training: 'Training', leave: 'Leave' }, starts: 'Starts', ends: 'Ends', employer: 'Employer', edit: 'Edit', deleteTrip: 'Delete trip', serverRule: 'Server rule: ',
  exports: 'Exports', cohort: 'Cohort', from: 'From month', to: 'To month', format: 'Format', requestExport: 'Request export',
  exportStatus: { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed' }, download: 'Download', rows: '{n} rows',
  needsOnline: 'Needs the network', noCohorts: 'No cohort of yours on this device: sync first.', lang: '中文',
}

let words = localStorage.getItem('feidi.lang') === 'en' ? en : zh

// lang is 'zh' or 'en'.
export const lang = () => (words === en ? 'en' : 'zh')
export function setLang(l) { localStorage.setItem('feidi.lang', l); words = l === 'en' ? en : zh; document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN' }
export function t(key, vars) {
  const v = key.split('.').reduce((o, k) => (o == null ? o : o[k]), words)
  if (typeof v !== 'string') return v === undefined ? key : v
  return vars ? v.replace(/\{(\w+)\}/g, (_, k) => String(vars[k])) : v
}

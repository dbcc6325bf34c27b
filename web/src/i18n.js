// Every string the UI shows, in two tables: Japanese (default) and English.
// t(key, params) looks the key up in the current language; {name} in a
// message is replaced by params.name.
import { signal } from './state.js';

const ja = {
  app_name: '一元', app_sub: '感染症患者情報', skip: '本文へ移動', lang_toggle: 'English',
  nav_today: 'ダッシュボード', nav_upload: '取込', nav_review: '名寄せ確認', nav_patients: '患者',
  nav_packages: '配信', nav_municipality: '市区町村', nav_admin: '管理', logout: 'ログアウト',
  shortcuts: 'ショートカット', shortcut_nav: 'Alt+数字: 画面切替', loading: '読み込み中…',
  login_title: 'ログイン', login_id: 'ログインID', password: 'パスワード', login_button: 'ログイン',
  login_failed: 'ログインできませんでした', must_change: 'パスワードを変更してください',
  current_password: '現在のパスワード', new_password: '新しいパスワード', change_password: '変更する',
  err_forbidden: 'この画面・データを見る権限がありません（他の市区町村のデータは表示できません）',
  err_not_found: '見つかりません。または閲覧の権限がありません',
  err_login: 'ログインが切れました。もう一度ログインしてください', err_generic: 'エラー: {msg}',
  not_available: 'この機能はまだサーバーにありません（{path}）',
  today_title: '今日の状況', batches_today: '本日の取込', review_queue: '確認待ち',
  conflicts: '矛盾', unacked: '未受領の配信', alerts: '市区町村からの連絡', open_review: '確認する',
  none: 'なし', file: 'ファイル', profile: '様式', encoding: '文字コード', rows: '行数',
  accepted: '新規', merged: '更新', review: '確認待ち', rejected: 'エラー', time: '時刻',
  chart_new: '新規患者数（日別）', chart_census: '療養状況別の人数', chart_empty: 'グラフのデータがありません',
  series_new_cases: '新規陽性者数', series_average7: '7日間平均', census_hospitalized: '入院中',
  census_severe: 'うち重症', census_lodging: '宿泊療養', census_home_recuperation: '自宅療養',
  census_arranging: '調整中',
  upload_title: 'ファイルの取込', drop_here: 'ここに CSV / XLSX ファイルをドラッグ、または',
  choose_file: 'ファイルを選ぶ', source: '送付元', source_hint: '例: HER-SYS、○○保健所',
  profile_auto: '自動判定', start_import: '取り込む', importing: '取込中… {rows} 行',
  import_done: '取込が終わりました', import_failed: '取込に失敗しました', duplicate: 'このファイルは取込済みです（変更なし）',
  download_rejects: 'エラー行一覧をダウンロード（Excel用CSV）', recent_batches: '最近の取込',
  review_title: '名寄せ確認', review_empty: '確認待ちはありません', review_of: '{n} 件中 {i} 件目',
  incoming: '取り込んだ行', candidate: '候補 {n}', field: '項目', score: '一致度',
  link: 'この人に統合', new_person: '別人として登録', reject_row: '取り込まない', undo: '元に戻す',
  prev: '前へ', next: '次へ', decided: '処理しました: {what}', undone: '元に戻しました',
  review_keys: 'キー: L=統合　N=別人　R=取り込まない　U=元に戻す　J/K=次/前　1〜9=候補',
  reason: '理由', no_candidates: '候補はありません', decisions_missing: '判定の機能がまだサーバーにありません',
  diff: '違い', same: '一致',
  patients_title: '患者の検索', name: '氏名', kana: 'フリガナ', name_kana: 'フリガナ', event: '区分', event_on: '日付', facility: '施設', facility_code: '施設コード', admitted_on: '入院日', discharged_on: '退院日',
  checked_in_on: '入所日', checked_out_on: '退所日', died_on: '死亡日', released_on: '療養解除日', hersys_id: 'HER-SYS ID', phone: '電話番号',
  birth_date: '生年月日', search: '検索', results: '{n} 件', sex: '性別', address: '住所',
  municipality: '市区町村', care_status: '療養状況', timeline: '経過', events_missing: '経過はまだ表示できません',
  back: '戻る', notified_on: '届出日', onset_on: '発症日', diagnosed_on: '診断日', care_start_on: '療養開始日',
  health_center: '保健所', severity: '重症度', withheld: '覚書により非表示の項目: {f}',
  packages_title: '市区町村への配信', issue_packages: '本日分の配信を作成', cutoff: '締切',
  package: '配信', created: '作成', acknowledged: '受領', ack_yes: '受領済', ack_no: '未受領',
  new_rows: '新規', changed_rows: '変更', ended_rows: '終了', download: 'ダウンロード',
  acknowledge: '受領を確認', acked_msg: '受領を記録しました', issued_msg: '{n} 件の配信を作成しました',
  muni_title: '配信データ', lastmile_title: '連絡・支援の記録', ref: '整理番号', kind: '内容', date: '日付',
  note: '備考', record: '記録する', recorded: '記録しました',
  admin_title: '管理', users: '利用者', login_col: 'ログインID', display_name: '表示名', role: '役割',
  scope: '担当範囲', disabled: '停止中', add_user: '利用者を追加', agreements: '覚書（データ共有）',
  version: '版', fields: '項目', audit: '監査記録', verify: '改ざんがないか確認', audit_ok: '改ざんはありません（{n} 件）',
  audit_bad: '問題があります: {n} 件', export_audit: '監査記録を書き出す', temp_password: '初期パスワード: {p}',
  lm_contacted: '連絡済', lm_unreachable: '不通', lm_meals: '配食', lm_oximeter: 'パルスオキシメーター貸与',
  lm_worse: '体調悪化', lm_other: 'その他',
};

const en = {
  app_name: 'Ichigen', app_sub: 'infectious-disease patient register', skip: 'Skip to content', lang_toggle: '日本語',
  nav_today: 'Today', nav_upload: 'Upload', nav_review: 'Review', nav_patients: 'Patients',
  nav_packages: 'Packages', nav_municipality: 'Municipality', nav_admin: 'Admin', logout: 'Log out',
  shortcuts: 'Shortcuts', shortcut_nav: 'Alt+digit: switch screen', loading: 'Loading…',
  login_title: 'Log in', login_id: 'Login ID', password: 'Password', login_button: 'Log in',
  login_failed: 'Could not log in', must_change: 'Please change your password',
  current_password: 'Current password', new_password: 'New password', change_password: 'Change',
  err_forbidden: 'You may not see this screen or data (another municipality\'s data is not shown)',
  err_not_found: 'Not found, or you may not see it',
  err_login: 'Your session ended. Please log in again', err_generic: 'Error: {msg}',
  not_available: 'The server does not offer this yet ({path})',
  today_title: 'Today', batches_today: 'Files imported today', review_queue: 'Review queue',
  conflicts: 'Conflicts', unacked: 'Unacknowledged packages', alerts: 'Alerts from municipalities',
  open_review: 'Review now', none: 'None', file: 'File', profile: 'Layout', encoding: 'Encoding', rows: 'Rows',
  accepted: 'New', merged: 'Updated', review: 'Review', rejected: 'Errors', time: 'Time',
  chart_new: 'New cases per day', chart_census: 'Patients by care status', chart_empty: 'No data for the chart',
  series_new_cases: 'New cases', series_average7: '7-day average', census_hospitalized: 'In hospital',
  census_severe: 'of which severe', census_lodging: 'Lodging', census_home_recuperation: 'At home',
  census_arranging: 'Being arranged',
  upload_title: 'Import a file', drop_here: 'Drag a CSV / XLSX file here, or',
  choose_file: 'Choose a file', source: 'Source', source_hint: 'e.g. HER-SYS, a health center',
  profile_auto: 'Detect', start_import: 'Import', importing: 'Importing… {rows} rows',
  import_done: 'Import finished', import_failed: 'Import failed', duplicate: 'This file was already imported (nothing changed)',
  download_rejects: 'Download the error rows (CSV for Excel)', recent_batches: 'Recent imports',
  review_title: 'Review matches', review_empty: 'Nothing to review', review_of: '{i} of {n}',
  incoming: 'Incoming row', candidate: 'Candidate {n}', field: 'Field', score: 'Score',
  link: 'Same person', new_person: 'New person', reject_row: 'Do not import', undo: 'Undo',
  prev: 'Previous', next: 'Next', decided: 'Done: {what}', undone: 'Undone',
  review_keys: 'Keys: L=link  N=new person  R=reject  U=undo  J/K=next/previous  1–9=candidate',
  reason: 'Reason', no_candidates: 'No candidates', decisions_missing: 'The server cannot record decisions yet',
  diff: 'differs', same: 'same',
  patients_title: 'Find a patient', name: 'Name', kana: 'Reading', name_kana: 'Reading', event: 'Event', event_on: 'Date', facility: 'Facility', facility_code: 'Facility code', admitted_on: 'Admitted', discharged_on: 'Discharged',
  checked_in_on: 'Checked in', checked_out_on: 'Checked out', died_on: 'Died', released_on: 'Released', hersys_id: 'HER-SYS ID', phone: 'Phone',
  birth_date: 'Birth date', search: 'Search', results: '{n} found', sex: 'Sex', address: 'Address',
  municipality: 'Municipality', care_status: 'Care status', timeline: 'Timeline', events_missing: 'No timeline yet',
  back: 'Back', notified_on: 'Notified', onset_on: 'Onset', diagnosed_on: 'Diagnosed', care_start_on: 'Care start',
  health_center: 'Health center', severity: 'Severity', withheld: 'Hidden by the agreement: {f}',
  packages_title: 'Packages for municipalities', issue_packages: 'Build today\'s packages', cutoff: 'Cutoff',
  package: 'Package', created: 'Created', acknowledged: 'Receipt', ack_yes: 'Received', ack_no: 'Not received',
  new_rows: 'New', changed_rows: 'Changed', ended_rows: 'Ended', download: 'Download',
  acknowledge: 'Acknowledge receipt', acked_msg: 'Receipt recorded', issued_msg: '{n} packages built',
  muni_title: 'Your packages', lastmile_title: 'Contact and support records', ref: 'Ref no.', kind: 'What', date: 'Date',
  note: 'Note', record: 'Record', recorded: 'Recorded',
  admin_title: 'Administration', users: 'Users', login_col: 'Login ID', display_name: 'Name', role: 'Role',
  scope: 'Scope', disabled: 'Disabled', add_user: 'Add user', agreements: 'Data-sharing agreements',
  version: 'Version', fields: 'Fields', audit: 'Audit trail', verify: 'Verify the trail', audit_ok: 'Intact ({n} entries)',
  audit_bad: 'Problems found: {n}', export_audit: 'Export the trail', temp_password: 'Initial password: {p}',
  lm_contacted: 'Contacted', lm_unreachable: 'Unreachable', lm_meals: 'Meals delivered', lm_oximeter: 'Pulse oximeter lent',
  lm_worse: 'Condition worse', lm_other: 'Other',
};

export const tables = { ja, en };
export const lang = signal(localStorage.getItem('ichigen.lang') || 'ja');

export function setLang(value) {
  lang.set(value);
  localStorage.setItem('ichigen.lang', value);
  document.documentElement.lang = value;
}

export function t(key, params) {
  let text = tables[lang.get()][key] ?? tables.ja[key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

// The server's error body carries both languages.
export function errorText(error) {
  if (!error) return '';
  return lang.get() === 'en' ? (error.message_en || error.message) : error.message;
}

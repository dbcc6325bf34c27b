// Browser test of the web UI (ctest label "browser"): starts `ichigen serve`
// on port 0 with a temporary store and demo users, then drives Debian's
// chromium through playwright-core: log in as operator, upload a CP932
// HER-SYS file and an update sheet, see the counts, review, build packages,
// set an agreement and import a CP932 consent sheet as admin, see the
// reference data, log in as a municipality, download and acknowledge its
// package, record 体調悪化 for one of its residents (the operator then sees
// the alert on Today), and confirm another municipality's data is refused
// with a clear message.
// Screenshots go to --out. Exit 77 (skipped) only when chromium is missing.
//
//   node ui_test.mjs --ichigen build/ichigen --web web --out build/tests/browser/artifacts
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, all) => {
  if (v.startsWith('--')) acc.push([v.slice(2), all[i + 1]]);
  return acc;
}, []));
const CHROMIUM = process.env.ICHIGEN_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(77);
}
const { chromium } = createRequire(path.join(path.resolve(args.web), 'package.json'))('playwright-core');
const ichigen = path.resolve(args.ichigen);
const out = path.resolve(args.out);
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ichigen-browser-'));
const db = path.join(tmp, 'store.db');
const started = Date.now();
let server;
let browser;
let step = 'setup';
let currentPage;
let pastCutoff = '';

function log(text) { console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`); }
function run(...argv) { return execFileSync(ichigen, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }
function addUser(login, role, scope) {
  const text = run('--db', db, 'user', 'add', login, '--role', role, ...(scope ? ['--scope', scope] : []));
  const match = /password \(shown once\): (\S+)/.exec(text);
  if (!match) throw new Error(`no password printed for ${login}: ${text}`);
  return match[1];
}
function expect(condition, message) { if (!condition) throw new Error(`expected: ${message}`); }

async function startServer() {
  server = spawn(ichigen, ['--db', db, 'serve', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20000);
    server.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(m[1].replace('127.0.0.1', '127.0.0.1')); }
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

async function checkAssets(base) {
  const index = await fetch(`${base}/review`);
  expect(index.status === 200 && (index.headers.get('content-type') || '').startsWith('text/html'), '/review serves index.html');
  const html = await index.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html);
  expect(script, 'index.html names its script');
  const js = await fetch(base + script[1]);
  expect(js.status === 200 && js.headers.get('content-type').includes('javascript'), 'script served as JavaScript');
  // One caching policy per answer: hashed assets are immutable, never also no-store.
  expect(js.headers.get('cache-control') === 'public, max-age=31536000, immutable', 'hashed assets are cached as immutable');
  expect((await fetch(`${base}/assets/nope.js`)).status === 404, 'missing asset is 404');
  const api404 = await fetch(`${base}/api/v1/no-such-thing`);
  expect(api404.status === 404 && (api404.headers.get('content-type') || '').includes('json'), 'unknown API path is a JSON 404');

}

// Development only (ICHIGEN_WEB_PREVIEW=1): the UI from web/dist through
// `vite preview`, /api forwarded to the server.
let preview;
async function startPreview(api) {
  preview = spawn('npx', ['vite', 'preview', '--port', '0', '--strictPort', 'false'], { cwd: path.resolve(args.web), env: { ...process.env, ICHIGEN_API: api }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve) => { let o = ''; preview.stdout.on('data', (d) => { o += d; const m = /(http:\/\/localhost:\d+)/.exec(o.replace(/\x1b\[[0-9;]*m/g, '')); if (m) resolve(m[1]); }); });
}

async function main() {
  step = 'synthetic files';
  const hersys = path.join(tmp, 'hersys_today.csv');
  const updates = path.join(tmp, 'updates_today.csv');
  run('synth', '--kind', 'hersys', '--rows', '2000', '--seed', '7', '--bad-rate', '0.01', '--encoding', 'cp932', '--out', hersys);
  run('synth', '--kind', 'updates', '--rows', '200', '--seed', '7', '--patients', '2000', '--encoding', 'cp932', '--out', updates);
  step = 'demo users';
  const adminPw = addUser('admin', 'admin');
  const operatorPw = addUser('operator1', 'operator');
  const auditorPw = addUser('auditor1', 'auditor');
  let base = await startServer();
  log(`server at ${base}`);
  if (process.env.ICHIGEN_WEB_PREVIEW) base = await startPreview(base);

  // Asset serving: content types, caching, index.html fallback, API 404s stay JSON.
  step = 'asset serving';
  if (!process.env.ICHIGEN_WEB_PREVIEW) await checkAssets(base);

  // A fresh profile (--user-data-dir) per run.
  browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
    locale: 'ja-JP',
  });
  const context = browser;
  const page = await context.newPage();
  currentPage = page;
  page.setDefaultTimeout(20000);
  const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });
  const login = async (id, pw) => {
    await page.goto(base + '/');
    await page.getByLabel('ログインID').fill(id);
    await page.getByLabel('パスワード').fill(pw);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByTestId('who').waitFor();
  };

  step = 'operator log-in';
  await page.goto(base + '/');
  await page.getByRole('heading', { name: 'ログイン' }).waitFor();
  await shot('01-login');
  await login('operator1', operatorPw);
  log('operator logged in');

  step = 'upload HER-SYS';
  const upload = async (file) => {
    await page.getByRole('link', { name: /取込/ }).click();
    await page.getByTestId('file').setInputFiles(file);
    await page.getByTestId('import').click();
    await page.locator('[data-testid="job"][data-state="done"], [data-testid="job"][data-state="failed"]').waitFor({ timeout: 120000 });
    const state = await page.getByTestId('job').getAttribute('data-state');
    expect(state === 'done', `import of ${path.basename(file)} done (was ${state}: ${await page.getByTestId('job').innerText()})`);
    const count = async (k) => Number((await page.getByTestId(`count-${k}`).locator('.big').innerText()).replace(/,/g, ''));
    return { rows: await count('rows'), accepted: await count('accepted'), review: await count('review'), rejected: await count('rejected') };
  };
  const first = await upload(hersys);
  log(`HER-SYS: ${JSON.stringify(first)}`);
  expect(first.rows === 2000, 'all 2000 rows counted');
  expect(first.accepted > 1500, 'most rows accepted');
  expect((await page.getByTestId('encoding').innerText()).toLowerCase().includes('cp932'), 'CP932 detected');
  expect((await page.getByTestId('profile').innerText()).includes('hersys'), 'HER-SYS profile detected');
  await shot('02-upload-hersys');
  if (first.rejected > 0) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rejects').click()]);
    const saved = path.join(out, 'rejects.csv');
    await dl.saveAs(saved);
    expect(fs.statSync(saved).size > 20, 'reject report downloaded');
  }

  step = 'upload updates';
  const second = await upload(updates);
  log(`updates: ${JSON.stringify(second)}`);
  expect(second.rows > 0, 'update sheet rows counted');
  await shot('03-upload-updates');

  step = 'dashboard';
  await page.getByRole('link', { name: /ダッシュボード/ }).click();
  await page.getByTestId('tile-batches').waitFor();
  expect((await page.getByTestId('tile-batches').locator('.big').innerText()) === '2', 'two batches today');
  await shot('04-dashboard');

  step = 'review';
  await page.getByRole('link', { name: /名寄せ確認/ }).click();
  await page.locator('[data-testid="review-position"], [data-testid="review-empty"]').first().waitFor();
  await shot('05-review');
  const canDecide = await page.evaluate(async () => {
    const doc = await (await fetch('/api/v1/openapi.json')).json();
    return Boolean(doc.paths['/api/v1/review-items/{id}/new']?.post);
  });
  if (canDecide && await page.getByTestId('review-position').count()) {
    const before = await page.getByTestId('review-position').innerText();
    // Reject (R) applies to every kind of item; "new person" needs a name,
    // which an update row with only an ID does not have.
    await page.locator('body').press('r');
    await page.getByRole('status').filter({ hasText: '処理しました' }).waitFor();
    log(`review: decided one item (was "${before}")`);
    await page.locator('body').press('u');
    await page.getByRole('status').filter({ hasText: '元に戻しました' }).waitFor();
    await page.locator('body').press('r');
    await page.getByRole('status').filter({ hasText: '処理しました' }).waitFor();
    await shot('05b-review-decided');
  } else {
    log('review: decision endpoints not on the server yet; screen only');
  }

  step = 'patients';
  await page.getByRole('link', { name: /患者/ }).click();
  await page.getByLabel('HER-SYS ID').waitFor();
  const patients = await page.evaluate(async () => (await (await fetch('/api/v1/patients?limit=200')).json()).items);
  const counts = {};
  for (const p of patients) if (p.municipality_code) counts[p.municipality_code] = (counts[p.municipality_code] || 0) + 1;
  const codes = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([c]) => c);
  expect(codes.length >= 2, 'patients in at least two municipalities');
  await page.getByLabel('HER-SYS ID').fill(patients[0].hersys_id);
  await page.getByRole('button', { name: '検索' }).click();
  await page.getByRole('link', { name: patients[0].hersys_id }).click();
  await page.getByRole('heading', { name: '経過' }).waitFor();
  await shot('06-patient');
  // Consent to share, recorded by the operator on the patient's page.
  const consentForm = page.getByTestId('consent-form');
  await consentForm.locator('select[name="consent"]').selectOption('given');
  await consentForm.getByLabel('出典').fill('本人からの電話');
  await consentForm.getByRole('button', { name: '記録する' }).click();
  await page.getByTestId('consent-history').filter({ hasText: '本人からの電話' }).waitFor();
  expect((await page.getByTestId('consent-current').innerText()).includes('同意あり'), 'consent now given');

  step = 'packages';
  const hasPackages = await page.evaluate(async () => {
    const doc = await (await fetch('/api/v1/openapi.json')).json();
    return Boolean(doc.paths['/api/v1/packages']?.post && doc.paths['/api/v1/packages']?.get);
  });
  await page.getByRole('link', { name: /配信/ }).click();
  if (hasPackages) {
    // Agreements (覚書) for the two municipalities, through the CLI,
    // recorded and valid since 2020: an agreement applies from the first
    // cutoff after it was recorded, and the synthetic patients were at home
    // in 2020-2023 (today's packages are empty).
    for (const code of codes.slice(0, 2)) {
      run('--db', db, 'agreements', 'set', code, '--fields', 'name,name_kana,address,phone,care_period',
        '--consent-required', 'false', '--from', '2020-01-01', '--recorded-at', '2020-01-01T00:00');
    }
    // A past day's package for the first municipality, the day after one of
    // its residents began home recuperation, so it has residents to call.
    const home = patients.find((p) => p.municipality_code === codes[0] && p.care_status === '自宅療養中'
      && (p.care_start_on || p.notified_on));
    expect(home, `a resident of ${codes[0]} at home`);
    const day = new Date(`${home.care_start_on || home.notified_on}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + 1);
    pastCutoff = `${day.toISOString().slice(0, 10)}T09:00+09:00`;
    run('--db', db, 'distribute', '--cutoff', pastCutoff, '--known-at', 'now');
    log(`past package cut at ${pastCutoff}`);
    await page.getByTestId('build').click();
    await page.getByRole('status').filter({ hasText: '配信を作成しました' }).waitFor();
    await page.getByTestId('packages').waitFor();
  } else {
    log('packages: endpoints not on the server yet; screen only');
  }
  await shot('07-packages');

  step = 'admin';
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await login('admin', adminPw);
  await page.getByRole('link', { name: /管理/ }).click();
  await page.getByRole('heading', { name: '利用者' }).waitFor();
  // Municipality users for the two largest municipalities, through the admin API.
  const munis = await page.evaluate(async (list) => {
    const csrf = sessionStorage.getItem('ichigen.csrf');
    const made = [];
    for (const [i, code] of list.entries()) {
      const r = await fetch('/api/v1/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ login: `muni${i + 1}`, role: 'municipality', scope: code, display_name: `市区町村${i + 1}` }) });
      made.push({ code, ...(await r.json()) });
    }
    return made;
  }, codes.slice(0, 2));
  expect(munis.every((m) => m.password), `municipality users created: ${JSON.stringify(munis.map((m) => m.error || m.login))}`);
  await page.reload();
  await page.getByRole('cell', { name: 'muni1' }).waitFor();
  await shot('08-admin');

  step = 'admin agreement';
  // A new version of the first municipality's agreement through the form:
  // it applies from the next package, so today's stays as built.
  const form = page.getByTestId('agreement-form');
  await form.getByLabel('市区町村コード（6桁）').fill(codes[0]);
  for (const label of ['氏名', '連絡先', '療養期間']) {
    await form.getByRole('checkbox', { name: label, exact: true }).check();
  }
  await form.getByLabel('利用目的').fill('食料品の配達と健康観察');
  await form.getByRole('button', { name: '記録する' }).click();
  await page.getByRole('status').filter({ hasText: `${codes[0]} の覚書 v2 を記録しました` }).waitFor();
  const agreementRow = page.locator(`[data-testid="agreements"] tr[data-municipality="${codes[0]}"]`);
  await agreementRow.filter({ hasText: '履歴（2 版）' }).waitFor();  // the list shows both versions
  await page.locator('#h-agr').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('08c-admin-agreements');

  step = 'admin consent import';
  const consentCsv = path.join(tmp, 'consent.csv');
  const consentText = 'HER-SYS ID,同意,日付,出典\r\n'
    + `${patients[0].hersys_id},あり,2024-05-01,${'保健所'}\r\n`
    + `${patients[1].hersys_id},撤回,2024-05-02,本人からの電話\r\n`
    + 'NO-SUCH-ID,あり,2024-05-02,テスト\r\n';
  fs.writeFileSync(consentCsv, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: consentText }));
  await page.getByTestId('consent-upload').getByLabel('同意シート（CSV / Excel）').setInputFiles(consentCsv);
  await page.getByTestId('consent-upload').getByRole('button', { name: '取り込む' }).click();
  await page.getByTestId('import-report').waitFor();
  const consentReport = await page.getByTestId('import-report').innerText();
  expect(consentReport.includes('2 件を記録、1 件はエラー') && consentReport.includes('cp932'),
    `consent sheet: 2 recorded, 1 rejected, CP932 (${consentReport})`);
  await page.locator('#h-consent').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('08d-admin-consent');

  step = 'admin reference data';
  await page.getByRole('radio', { name: '保健所', exact: true }).check();
  await page.getByTestId('ref-centers').locator('tbody tr').first().waitFor();
  await page.getByRole('radio', { name: '市区町村', exact: true }).check();
  await page.getByTestId('ref-municipalities').locator('tbody tr').first().waitFor();
  expect(await page.getByTestId('ref-municipalities').locator('tbody tr').count() > 30, 'Kanagawa municipalities listed');
  await page.getByRole('radio', { name: '療養期間の規則', exact: true }).check();
  await page.getByTestId('ref-rules').locator('tbody tr').first().waitFor();
  await page.locator('#h-ref').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('08e-admin-reference');

  step = 'auditor';
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await login('auditor1', auditorPw);
  await page.getByTestId('verify').click();
  await page.getByTestId('verify-result').waitFor();
  expect((await page.getByTestId('verify-result').innerText()).includes('改ざんはありません'), 'audit trail verifies');
  await shot('08b-audit');

  step = 'municipality portal';
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await login('muni1', munis[0].password);
  await page.getByRole('heading', { name: /配信データ/ }).waitFor();
  const navLinks = await page.locator('nav a').allInnerTexts();
  expect(navLinks.length === 1 && navLinks[0].includes('市区町村'), `municipality sees only its portal (saw ${navLinks})`);
  if (hasPackages) {
    const rows = page.locator('[data-testid="packages"] tbody tr');
    expect(await rows.count() >= 1, 'municipality sees its package');
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.package));
    expect(ids.every((id) => id.startsWith(munis[0].code)), `only its own packages (${ids})`);
    const [dl] = await Promise.all([page.waitForEvent('download'), rows.first().getByTestId('dl-csv').click()]);
    const saved = path.join(out, 'package.csv');
    await dl.saveAs(saved);
    expect(fs.statSync(saved).size > 0, 'package CSV downloaded');
    await rows.first().getByTestId('ack').click();
    await page.getByRole('status').filter({ hasText: '受領を記録しました' }).waitFor();
    // Another municipality's package: the server refuses, the UI says so.
    const other = await page.evaluate(async (code) => {
      const r = await fetch(`/api/v1/packages?municipality=${code}`);
      const body = await r.json().catch(() => null);
      return { status: r.status, ids: (body?.items || []).map((p) => p.id) };
    }, munis[1].code);
    log(`other municipality's packages as muni1: HTTP ${other.status}, ${other.ids.length} items`);
    expect(other.status === 403 || other.status === 404 || other.ids.every((id) => !id.startsWith(munis[1].code)),
      `another municipality's packages are not listed (${JSON.stringify(other)})`);
  }
  await shot('09-municipality');

  if (hasPackages) {
    step = 'municipality records 体調悪化';
    const pastId = `${munis[0].code}-${pastCutoff.slice(0, 10).replaceAll('-', '')}T0900`;
    await page.getByTestId('resident-package').selectOption(pastId);
    await page.getByTestId('show-residents').click();
    const resident = page.locator('[data-testid="residents"] tbody tr').first();
    await resident.waitFor();
    const ref = await resident.getAttribute('data-ref');
    // Keyboard: the row's button puts the ref in the form and focuses 内容.
    await resident.getByTestId('pick').focus();
    await page.keyboard.press('Enter');
    const lastmile = page.getByTestId('lastmile');
    expect(await lastmile.getByLabel('整理番号').inputValue() === ref, 'the picked ref is in the form');
    expect(await page.evaluate(() => document.activeElement?.name) === 'kind', 'focus moved to 内容');
    await lastmile.getByLabel('内容').selectOption('体調悪化');
    await lastmile.getByLabel('備考').fill('息苦しいとのこと');
    await lastmile.getByRole('button', { name: '記録する' }).click();
    await page.getByRole('status').filter({ hasText: '保健所に通知しました' }).waitFor();
    const recorded = page.locator('[data-testid="lastmile-records"] tbody tr').first();
    await recorded.filter({ hasText: '体調悪化' }).waitFor();
    expect((await recorded.innerText()).includes(ref), 'the record lists the ref');
    // Another municipality's ref is not found for this one.
    const foreign = await page.evaluate(async () => {
      const r = await fetch('/api/v1/lastmile', { method: 'POST', headers: { 'Content-Type': 'application/json',
        'X-CSRF-Token': sessionStorage.getItem('ichigen.csrf') }, body: JSON.stringify({ ref: 'XXXX-XXXX-XXXX', kind: '連絡済' }) });
      return r.status;
    });
    expect(foreign === 404, `an unknown ref is 404 (HTTP ${foreign})`);
    await page.getByRole('heading', { name: '連絡・支援の記録' }).scrollIntoViewIfNeeded();
    await shot('09b-municipality-lastmile');
    // Many at once: an Excel CSV (CP932) with a title row; the unknown ref is refused, the rest recorded.
    const sheet = path.join(tmp, 'lastmile.csv');
    fs.writeFileSync(sheet, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], {
      input: `連絡記録\r\n整理番号,連絡日,対応区分,メモ\r\n${ref},${pastCutoff.slice(0, 10).replaceAll('-', '/')},配食,3日分\r\nXXXX-XXXX-XXXX,,連絡済,\r\n` }));
    await page.getByTestId('lastmile-upload').getByLabel('記録シート（CSV / Excel）').setInputFiles(sheet);
    await page.getByTestId('lastmile-upload').getByRole('button', { name: '取り込む' }).click();
    await page.getByTestId('import-report').filter({ hasText: '1 件を記録、1 件はエラー' }).waitFor();
    await page.locator('[data-testid="lastmile-records"] tbody tr').filter({ hasText: '配食' }).waitFor();
  }

  step = 'municipality cannot reach other data';
  await page.goto(`${base}/patients`);
  await page.getByTestId('error').waitFor();
  expect((await page.getByTestId('error').innerText()).includes('権限がありません'), 'operator screen refused with a clear message');
  const status = await page.evaluate(async (id) => (await fetch(`/api/v1/batches/${id}`)).status, 1);
  expect(status === 403 || status === 404, `batch API refused to a municipality (HTTP ${status})`);
  const otherPatient = patients.find((p) => p.municipality_code === munis[1].code);
  const patientStatus = await page.evaluate(async (id) => (await fetch(`/api/v1/patients/${id}`)).status, otherPatient.id);
  expect(patientStatus === 403 || patientStatus === 404, `another municipality's patient refused (HTTP ${patientStatus})`);
  await shot('10-municipality-refused');

  if (hasPackages) {
    step = 'operator sees the alert';
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await login('operator1', operatorPw);
    await page.getByRole('link', { name: /ダッシュボード/ }).click();
    await page.getByTestId('alerts').filter({ hasText: '体調悪化' }).waitFor();
    await page.locator('#h-alerts').scrollIntoViewIfNeeded();
    await shot('11-today-alert');
  }

  step = 'english';
  await page.getByTestId('lang').click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  log(`passed in ${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in ${out}`);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`FAIL at step "${step}": ${error.stack || error}`);
  if (currentPage) await currentPage.screenshot({ path: path.join(out, 'failure.png') }).catch(() => {});
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.kill('SIGTERM');
  if (preview) preview.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

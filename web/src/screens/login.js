// Log-in; then a forced password change when the password was reset.
import { useState } from 'preact/hooks';
import { html, ErrorMessage } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

export function Login({ onLogin }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError(null);
    try {
      if (pending) {
        await api.post('/api/v1/me/password', {
          current_password: form.get('current'), new_password: form.get('next') });
        onLogin({ ...pending, must_change_password: false });
        return;
      }
      const user = await api.login(form.get('login'), form.get('password'));
      if (user.must_change_password) setPending(user); else onLogin(user);
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return html`<main id="main" class="login">
    <h1>${t('app_name')} <small>${t('app_sub')}</small></h1>
    <form onSubmit=${submit} aria-labelledby="login-h">
      <h2 id="login-h">${pending ? t('must_change') : t('login_title')}</h2>
      ${pending ? html`
        <label>${t('current_password')}<input name="current" type="password" autocomplete="current-password" required/></label>
        <label>${t('new_password')}<input name="next" type="password" autocomplete="new-password" required/></label>
        <button type="submit" disabled=${busy}>${t('change_password')}</button>` : html`
        <label>${t('login_id')}<input name="login" autocomplete="username" required autofocus/></label>
        <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required/></label>
        <button type="submit" disabled=${busy}>${t('login_button')}</button>`}
      <${ErrorMessage} error=${error}/>
    </form>
  </main>`;
}

import { A } from '@solidjs/router';
import { t } from '../i18n';

export function NotFound() {
  return (
    <section class="page narrow">
      <h1>{t.app.notFound}</h1>
      <p>
        <A href="/tasks">{t.app.backHome}</A>
      </p>
    </section>
  );
}

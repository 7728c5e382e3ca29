import './zod-jitless';
import { render } from 'solid-js/web';
import { App } from './app';
import { lang, t } from './i18n';
import './styles.css';

document.documentElement.lang = lang;
document.title = t.app.name;
const root = document.getElementById('root');
if (root) render(() => <App />, root);

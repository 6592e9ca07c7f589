// First: the print route is read from the address before the client below takes the token out of it.
import { printRoute } from './features/print/route';
import './zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './styles/base.css';
import './styles/forms.css';
import './styles/shell.css';
import './styles/table.css';
import './styles/detail.css';
import './styles/viewer.css';
import './styles/tokens.css';
import './styles/registers.css';
import './styles/session.css';
import './styles/secrets.css';
import './styles/print.css';
import { App } from './App';
import { PrintView } from './features/print/PrintView';

createRoot(document.getElementById('root')!).render(
  // The print window shows the printout only: no shell, no session, no connection to the core.
  <StrictMode>{printRoute ? <PrintView ticket={printRoute.ticket} token={printRoute.token} /> : <App />}</StrictMode>,
);

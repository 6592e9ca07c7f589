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
import { App } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

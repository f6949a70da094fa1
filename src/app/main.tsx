import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { actions, store, ui } from './appContext';
import { installTestHooks } from './testHooks';
import './style.css';
import { errorText } from '../util/errorText';

window.addEventListener('unhandledrejection', (e) => ui.failed(errorText(e.reason)));
installTestHooks(store, actions);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
actions.init(window.location.search).catch((e: unknown) => ui.failed(errorText(e)));

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { actions, store } from './appContext';
import { failed } from './store';
import { installTestHooks } from './testHooks';
import type { Viewer } from './viewer';
import './style.css';

let viewer: Viewer | null = null;
const setViewer = (v: Viewer | null) => { viewer = v; };

window.addEventListener('unhandledrejection', (e) => failed(store, e.reason instanceof Error ? e.reason.message : String(e.reason)));
installTestHooks(store, actions, () => viewer);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App onViewer={setViewer} />
  </StrictMode>,
);
actions.init(window.location.search).catch((e: unknown) => failed(store, e instanceof Error ? e.message : String(e)));

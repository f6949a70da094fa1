import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { actions, store } from './appContext';
import { failed } from './store';
import { installTestHooks } from './testHooks';
import { currentViewer, setCurrentViewer } from './viewerHandle';
import './style.css';
import { errorText } from '../util/errorText';

window.addEventListener('unhandledrejection', (e) => failed(store, errorText(e.reason)));
installTestHooks(store, actions, currentViewer);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App onViewer={setCurrentViewer} />
  </StrictMode>,
);
actions.init(window.location.search).catch((e: unknown) => failed(store, errorText(e)));

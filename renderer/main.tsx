import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/api-context.js';
import { connectConsole } from './api/connect.js';
import { App } from './App.js';
import { savedTheme } from './components/use-theme.js';
import { bindConsole } from './state/bindings.js';
import { useConsole } from './state/store.js';
import './styles.css';

function start(): void {
  const root = document.getElementById('root');
  if (!root) return;
  useConsole.getState().ui.setTheme(savedTheme());
  const connection = connectConsole();
  let unbind = bindConsole(connection.api);
  let last = useConsole.getState().ui.connection;
  connection.onState((state) => {
    useConsole.getState().ui.setConnection(state);
    // Reconnected: load everything again, since pushes sent while the socket was down are lost.
    if (state === 'connected' && last === 'disconnected') {
      unbind();
      unbind = bindConsole(connection.api);
    }
    last = state;
  });
  createRoot(root).render(
    <StrictMode>
      <ApiProvider api={connection.api}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
}

start();

/**
 * Electron main process (thin): one window with a sandboxed, context-isolated renderer, and the contract
 * wired over IPC. Services run behind the same dispatcher as browser mode.
 */
import { app, BrowserWindow, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type Result } from '../../src-preload/contract';
import { createAppBackend } from '../services/app/backend';
import { EventHub } from '../services/api/events';
import { builtLayout } from '../server/layout';

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const layout = builtLayout(import.meta.url);
const devUrl = process.env.ELECTRON_RENDERER_URL;
const hub = new EventHub();
// MTS_DATA_DIR wins so that the CLI, browser mode and the desktop app can share one database on purpose.
const dataDir = process.env.MTS_DATA_DIR ?? app.getPath('userData');
const backend = createAppBackend({ probeChild: layout.probeChild, dataDir }, { emit: hub.emit });
const dispatch = backend.dispatch;

/** Only our own renderer may call the API (not a navigated-away page or an injected frame). */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  const rendererUrl = pathToFileURL(path.join(layout.rendererDir, 'index.html')).href;
  return url.startsWith(rendererUrl) || (devUrl !== undefined && url.startsWith(devUrl));
}

ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method: unknown, input: unknown): Promise<Result<unknown>> => {
  if (!isTrustedSender(event)) {
    return {
      ok: false,
      error: { code: 'forbidden', message: `IPC from ${event.senderFrame?.url ?? 'unknown frame'} refused.` },
    };
  }
  if (typeof method !== 'string') {
    return {
      ok: false,
      error: { code: 'invalid_input', message: `Method name must be a string, got ${typeof method}.` },
    };
  }
  return dispatch(method, input);
});

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Multitask Studio',
    webPreferences: {
      preload: path.join(mainDir, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // External links open in the system browser; the app window never navigates away or opens popups.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  const unsubscribe = hub.subscribe((event) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
  });
  win.on('closed', unsubscribe);
  if (devUrl !== undefined) void win.loadURL(devUrl);
  else void win.loadFile(path.join(layout.rendererDir, 'index.html'));
}

void app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => backend.close());

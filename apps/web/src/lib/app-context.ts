/** What every signed-in page shares: the user, the task store, the live feed, the accounts. */
import { createContext, useContext } from 'solid-js';
import type { Accounts } from './accounts';
import type { Live } from './live';
import type { SessionUser } from './session';
import type { TaskStore } from './task-store';

export interface AppContextValue {
  user: SessionUser;
  store: TaskStore;
  live: Live;
  accounts: Accounts;
}

export const AppContext = createContext<AppContextValue>();

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside of the signed-in app');
  return value;
}

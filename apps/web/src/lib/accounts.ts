/** The user's platform accounts, loaded once after sign-in and refreshed after each change. */
import type { AccountView } from '@zpub/shared';
import { createStore, reconcile } from 'solid-js/store';
import type { Api } from './trpc';

export type Accounts = ReturnType<typeof createAccounts>;

export function createAccounts(api: Api, onError: (err: unknown) => void) {
  const [state, setState] = createStore<{ list: AccountView[]; loaded: boolean }>({ list: [], loaded: false });

  async function refresh(): Promise<void> {
    try {
      const list = await api.account.list.query();
      setState('list', reconcile(list, { key: 'id' }));
      setState('loaded', true);
    } catch (err) {
      onError(err);
    }
  }

  return {
    state,
    refresh,
    nameOf(id: string): string | undefined {
      return state.list.find((a) => a.id === id)?.name;
    },
  };
}

/** What the web app imports (type only): the API's shape, nothing that runs. */
export type { AppRouter } from './routers/_app';

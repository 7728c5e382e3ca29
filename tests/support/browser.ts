/** The built SPA in a real Chromium, and the steps every browser suite starts with. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@zpub/devstack';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Chromium, after checking that the SPA the server hosts has been built. */
export async function launchForSpa(): Promise<Browser> {
  expect(readFileSync(join(repoRoot(), 'apps/web/dist/index.html'), 'utf8'), 'apps/web is not built: pnpm --filter @zpub/web build').toContain('<div');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Signs up through the form and adds a sandbox account named `account` on the accounts page. */
export async function signUpWithSandboxAccount(page: Page, appUrl: string, account: string): Promise<void> {
  await page.goto(`${appUrl}/login?mode=register`);
  await page.getByTestId('auth-email').fill(`${account}${Date.now()}@example.com`);
  await page.getByTestId('auth-password').fill('a long enough password');
  await page.getByTestId('auth-submit').click();
  await expect.poll(() => page.getByTestId('user-email').isVisible()).toBe(true);
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name-input').fill(account);
  await page.getByTestId('account-add').click();
  await expect.poll(() => page.getByTestId('account-row').count()).toBe(1);
}

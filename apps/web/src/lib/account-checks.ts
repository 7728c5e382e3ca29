/** Checks of the add-account forms, before anything is sent (the server checks again). */
import { CookieParseError, LIMITS, parseLoginCookies, type Platform } from '@zpub/shared';
import { t } from '../i18n';
import { utf8Bytes } from './batch';
import { charCount } from './format';

/**
 * What the sandbox takes as an account name: letters of any script, digits, `_ . -`, at most 40
 * (apps/sandbox faults.ts ACCOUNT_NAME). It travels percent-encoded in the cookie (sandboxCookie).
 */
const SANDBOX_NAME = /^[\p{L}\p{M}\p{N}_.-]{1,40}$/u;

/** The login cookie of the sandbox account `name`. */
export function sandboxCookie(name: string): string {
  return `z_c0=sandbox-${encodeURIComponent(name)}`;
}

export function nameProblem(name: string, platform: Platform): string | undefined {
  const value = name.trim();
  if (value === '') return t.accounts.nameRequired;
  if (charCount(value) > LIMITS.accountNameMax) return t.accounts.nameTooLong(LIMITS.accountNameMax);
  if (platform === 'sandbox' && !SANDBOX_NAME.test(value)) return t.accounts.sandboxNameInvalid;
  return undefined;
}

/** Why a paste is not usable, in Chinese; undefined when it is. The paste itself is never echoed. */
export function cookieProblem(paste: string): string | undefined {
  if (paste.trim() === '') return t.accounts.cookieRequired;
  if (utf8Bytes(paste) > LIMITS.cookieMaxBytes) return t.accounts.cookieTooLarge;
  try {
    parseLoginCookies(paste);
    return undefined;
  } catch (e) {
    if (e instanceof CookieParseError && /z_c0/.test(e.message)) return t.accounts.cookieNoLogin;
    return t.accounts.cookieInvalid;
  }
}

import { describe, expect, it } from 'vitest';
import { zhCN } from '../i18n/zh-CN';
import { cookieProblem, nameProblem, sandboxCookie } from './account-checks';

describe('add-account checks', () => {
  it('accepts a Cookie header or a JSON export that has z_c0', () => {
    expect(cookieProblem('Cookie: z_c0=2|1:0|abc; d_c0=xyz')).toBeUndefined();
    expect(cookieProblem('[{"name":"z_c0","value":"abc","domain":".zhihu.com"}]')).toBeUndefined();
  });

  it('names what is wrong without echoing the paste', () => {
    expect(cookieProblem('')).toBe(zhCN.accounts.cookieRequired);
    expect(cookieProblem('d_c0=xyz; q_c1=secretvalue')).toBe(zhCN.accounts.cookieNoLogin);
    const bad = cookieProblem('this is not a cookie secretvalue');
    expect(bad).toBe(zhCN.accounts.cookieInvalid);
    expect(bad).not.toContain('secretvalue');
    expect(cookieProblem('[{"name":"z_c0"')).toBe(zhCN.accounts.cookieInvalid);
  });

  it('takes sandbox names the sandbox takes, Chinese ones too, and puts them in the cookie encoded', () => {
    expect(nameProblem('alice', 'sandbox')).toBeUndefined();
    expect(nameProblem('我的专栏号', 'sandbox')).toBeUndefined();
    expect(nameProblem('a b', 'sandbox')).toBe(zhCN.accounts.sandboxNameInvalid);
    expect(nameProblem('a;b', 'sandbox')).toBe(zhCN.accounts.sandboxNameInvalid);
    expect(nameProblem('长'.repeat(41), 'sandbox')).toBe(zhCN.accounts.sandboxNameInvalid);
    expect(sandboxCookie('alice')).toBe('z_c0=sandbox-alice');
    expect(sandboxCookie('我的')).toBe('z_c0=sandbox-%E6%88%91%E7%9A%84');
    expect(nameProblem('我的号', 'zhihu')).toBeUndefined();
    expect(nameProblem('  ', 'zhihu')).toBe(zhCN.accounts.nameRequired);
  });
});

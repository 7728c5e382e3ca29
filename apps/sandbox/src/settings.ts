import { createHash } from 'node:crypto';
import type { Column } from './store.js';

// The publish settings the editor offers next to topics, with the values Zhihu sends on the wire
// and the labels a person reads. Every sandbox account owns two columns, derived from its name so
// they are stable across restarts and tests can know them without asking.

/** `disclaimer_type` -> label (labels after zhihu_obsidian src/disclaimer.ts; `none` is ours). */
export const STATEMENTS: Record<string, string> = {
  none: '无声明',
  spoiler: '包含剧透',
  medical_advice: '包含医疗建议',
  fictional_creation: '虚构创作',
  contain_finance: '包含理财内容',
  ai_creation: '包含 AI 辅助创作',
};

/** `comment_permission` -> label (no public source for the labels). */
export const COMMENT_PERMISSIONS: Record<string, string> = {
  anyone: '所有人可评论',
  followee: '仅我关注的人可评论',
  censor: '评论经我审核后展示',
  nobody: '关闭评论',
};

function digits(seed: string, length: number): string {
  const n = BigInt(`0x${createHash('md5').update(seed).digest('hex').slice(0, 16)}`);
  return (n % 10n ** BigInt(length)).toString().padStart(length, '1');
}

/** The columns `name` can publish to: `c_<19 digits>` like Zhihu's column ids. */
export function columnsOf(name: string): Column[] {
  return [
    { id: `c_${digits(`column-1:${name}`, 19)}`, title: `${name} 的专栏` },
    { id: `c_${digits(`column-2:${name}`, 19)}`, title: `${name} 的读书笔记` },
  ];
}

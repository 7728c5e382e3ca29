export * from './api';
export * from './cookies';
export * from './errors';
export * from './events';
export * from './limits';
export * from './task';
export * from './zhihu-options';
export * from './task-row';

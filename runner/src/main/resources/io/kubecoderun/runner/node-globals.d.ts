// Node.js globals for TypeScript code run by KubeCodeRun, typed loosely: the images carry no @types/node, and
// user code must still be able to use process, require, Buffer and console.
declare var process: any;
declare var require: any;
declare var module: any;
declare var exports: any;
declare var Buffer: any;
declare var __dirname: string;
declare var __filename: string;
declare var global: any;
declare var console: any;
declare function setTimeout(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): any;
declare function clearTimeout(handle: any): void;
declare function setInterval(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): any;
declare function clearInterval(handle: any): void;
declare function setImmediate(handler: (...args: any[]) => void, ...args: any[]): any;
declare function queueMicrotask(callback: () => void): void;
declare class TextEncoder { encode(input?: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string); decode(input?: any): string; }
declare class URL { constructor(url: string, base?: string); [key: string]: any; }
declare function structuredClone<T>(value: T): T;
declare function fetch(input: any, init?: any): Promise<any>;

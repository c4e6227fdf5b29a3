// R34's tables (outbound webhooks) live here; schema.ts re-exports them.
export {};

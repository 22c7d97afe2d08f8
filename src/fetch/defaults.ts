/** How long a server may stay silent before a request fails (-timeout), in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

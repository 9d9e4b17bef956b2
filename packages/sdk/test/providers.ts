// Both CryptoProvider implementations: every signature test runs against each.
import { createNodeCryptoProvider, createWebCryptoProvider, type CryptoProvider } from '../src/index.ts';

export const PROVIDERS: readonly CryptoProvider[] = [createNodeCryptoProvider(), createWebCryptoProvider()];

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DEMO_CONFIG, type DemoConfig } from './demo.config';

interface ExpressSettings {
  set(setting: string, value: unknown): void;
}

/**
 * Applies TRUST_PROXY to Express, so client addresses (provider allow-lists, logs) are read from
 * X-Forwarded-For only behind the proxies you trust.
 */
@Injectable()
export class TrustProxySetting implements OnModuleInit {
  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'express') adapter.getInstance<ExpressSettings>().set('trust proxy', this.config.trustProxy);
  }
}

import { Controller, Get, HttpCode, NotFoundException, Param, ParseBoolPipe, ParseUUIDPipe, Post, Query, UseGuards, ValidationPipe, type Type } from '@nestjs/common';
import type { StoredDelivery } from '../store/inbox-store.interface';
import { WebhookDeliveries, type WebhookStats } from '../store/webhook-deliveries.service';
import { WebhookMonitor } from '../monitoring/webhook-monitor';
import { AdminTokenGuard } from './admin-token.guard';
import { FindDeliveriesQuery } from './find-deliveries.query';

/** The admin API, at the path given by the `adminPath` extra; every route needs the admin token. */
export function createWebhookAdminController(path: string): Type<unknown> {
  @Controller(path)
  @UseGuards(AdminTokenGuard)
  class WebhookAdminController {
    constructor(
      readonly deliveries: WebhookDeliveries,
      readonly monitor: WebhookMonitor,
    ) {}

    @Get('deliveries')
    find(@Query(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true })) query: FindDeliveriesQuery): Promise<StoredDelivery[]> {
      return this.deliveries.find(query);
    }

    @Get('deliveries/:id')
    async get(@Param('id', ParseUUIDPipe) id: string): Promise<StoredDelivery> {
      const delivery = await this.deliveries.get(id);
      if (!delivery) throw new NotFoundException(`No delivery ${id}.`);
      return delivery;
    }

    @Post('deliveries/:id/replay')
    @HttpCode(202)
    async replay(@Param('id', ParseUUIDPipe) id: string, @Query('allHandlers', new ParseBoolPipe({ optional: true })) allHandlers?: boolean): Promise<{ replayed: true; id: string }> {
      await this.deliveries.replay(id, { allHandlers });
      return { replayed: true, id };
    }

    @Get('metrics')
    metrics() {
      return this.monitor.metrics();
    }

    @Get('stats')
    stats(): Promise<WebhookStats> {
      return this.deliveries.stats();
    }
  }
  return WebhookAdminController;
}

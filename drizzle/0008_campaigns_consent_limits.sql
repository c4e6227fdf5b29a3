CREATE TABLE "campaign_recipients" (
	"campaign_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"client_id" uuid,
	"phone" text,
	"variables" jsonb,
	"state" text DEFAULT 'PENDING' NOT NULL,
	"skip_code" text,
	"skip_message" text,
	"send_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_recipients_campaign_id_seq_pk" PRIMARY KEY("campaign_id","seq")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stand_id" uuid NOT NULL,
	"name" text NOT NULL,
	"channel" text NOT NULL,
	"requested_by_id" uuid NOT NULL,
	"agent_id" uuid,
	"content" jsonb NOT NULL,
	"rate_per_second" integer NOT NULL,
	"start_at" timestamp with time zone,
	"state" text NOT NULL,
	"waiting_reason" text,
	"waiting_until" timestamp with time zone,
	"recipient_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_daily_recipients" (
	"stand_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"day" text NOT NULL,
	"recipient" text NOT NULL,
	CONSTRAINT "channel_daily_recipients_stand_id_channel_day_recipient_pk" PRIMARY KEY("stand_id","channel","day","recipient")
);
--> statement-breakpoint
CREATE TABLE "channel_usage" (
	"stand_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "channel_usage_stand_id_channel_window_start_pk" PRIMARY KEY("stand_id","channel","window_start")
);
--> statement-breakpoint
CREATE TABLE "consent_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"opted_out" boolean NOT NULL,
	"source" text NOT NULL,
	"keyword" text,
	"message_id" uuid,
	"agent_id" uuid,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_channels" ADD COLUMN "opted_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stand_channels" ADD COLUMN "messages_per_second" integer;--> statement-breakpoint
ALTER TABLE "stand_channels" ADD COLUMN "daily_unique_recipients" integer;--> statement-breakpoint
ALTER TABLE "stands" ADD COLUMN "opt_out_keywords" text[] DEFAULT '{STOP,UNSUBSCRIBE,СТОП}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "stands" ADD COLUMN "opt_in_keywords" text[] DEFAULT '{START}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "stands" ADD COLUMN "quiet_hours_time_zone" text;--> statement-breakpoint
ALTER TABLE "stands" ADD COLUMN "quiet_hours_start" text;--> statement-breakpoint
ALTER TABLE "stands" ADD COLUMN "quiet_hours_end" text;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_requested_by_id_agents_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_daily_recipients" ADD CONSTRAINT "channel_daily_recipients_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_usage" ADD CONSTRAINT "channel_usage_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_changes" ADD CONSTRAINT "consent_changes_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_changes" ADD CONSTRAINT "consent_changes_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_recipients_state" ON "campaign_recipients" USING btree ("campaign_id","state","seq");--> statement-breakpoint
CREATE INDEX "campaign_recipients_send" ON "campaign_recipients" USING btree ("send_id");--> statement-breakpoint
CREATE INDEX "campaigns_stand_created" ON "campaigns" USING btree ("stand_id","created_at","id");--> statement-breakpoint
CREATE INDEX "consent_changes_client" ON "consent_changes" USING btree ("client_id","channel","at");
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stand_id" uuid NOT NULL,
	"login" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"status" text DEFAULT 'OFFLINE' NOT NULL,
	"status_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agents_login_unique" UNIQUE("login")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"access_token" text NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attachments_access_token_unique" UNIQUE("access_token")
);
--> statement-breakpoint
CREATE TABLE "client_channels" (
	"client_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"address" text,
	"blocked" boolean DEFAULT false NOT NULL,
	"last_inbound_at" timestamp with time zone,
	CONSTRAINT "client_channels_client_id_channel_pk" PRIMARY KEY("client_id","channel")
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stand_id" uuid NOT NULL,
	"name" text,
	"phone" text,
	"email" text,
	"external_id" text,
	"blocked" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_status_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"status" text NOT NULL,
	"failure_code" text,
	"failure_provider_code" text,
	"failure_message" text,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"send_id" text,
	"client_id" uuid NOT NULL,
	"thread_id" uuid,
	"channel" text NOT NULL,
	"direction" text NOT NULL,
	"author_id" uuid,
	"text" text,
	"subject" text,
	"header" text,
	"footer" text,
	"template_id" uuid,
	"template_variables" jsonb,
	"attachment_id" uuid,
	"bcc" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text NOT NULL,
	"failure_code" text,
	"failure_provider_code" text,
	"failure_message" text,
	"provider_request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messenger_usernames" (
	"client_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"username" text NOT NULL,
	CONSTRAINT "messenger_usernames_client_id_channel_pk" PRIMARY KEY("client_id","channel")
);
--> statement-breakpoint
CREATE TABLE "sends" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"agent_id" uuid,
	"requested_by_id" uuid,
	"client_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"disposition" text,
	"message_id" uuid,
	"thread_id" uuid,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sends_request_id_unique" UNIQUE("request_id")
);
--> statement-breakpoint
CREATE TABLE "stand_channels" (
	"stand_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"position" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"template_policy" text DEFAULT 'OUTSIDE_SESSION_WINDOW' NOT NULL,
	"session_window_hours" integer DEFAULT 24 NOT NULL,
	"strict_templates" boolean DEFAULT true NOT NULL,
	"provider_settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "stand_channels_stand_id_channel_pk" PRIMARY KEY("stand_id","channel")
);
--> statement-breakpoint
CREATE TABLE "stands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "template_variables" (
	"template_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"key" text NOT NULL,
	"type" text NOT NULL,
	"label" text,
	"options" text[],
	CONSTRAINT "template_variables_template_id_position_pk" PRIMARY KEY("template_id","position")
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"language" text,
	"category" text,
	"provider_status" text NOT NULL,
	"usable" boolean DEFAULT true NOT NULL,
	"header" text,
	"body" text NOT NULL,
	"footer" text,
	"text_only" boolean NOT NULL,
	"content" jsonb,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "thread_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"agent_id" uuid,
	"target_id" uuid,
	"comment" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"assignee_id" uuid,
	"queue_target_id" uuid,
	"transfer_comment" text,
	"close_reason" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "transfer_targets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stand_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"agent_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transfer_targets_agent_id_unique" UNIQUE("agent_id")
);
--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_uploaded_by_agents_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_channels" ADD CONSTRAINT "client_channels_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_status_changes" ADD CONSTRAINT "message_status_changes_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_id_agents_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messenger_usernames" ADD CONSTRAINT "messenger_usernames_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_requested_by_id_agents_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stand_channels" ADD CONSTRAINT "stand_channels_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "template_variables" ADD CONSTRAINT "template_variables_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_events" ADD CONSTRAINT "thread_events_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_events" ADD CONSTRAINT "thread_events_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_events" ADD CONSTRAINT "thread_events_target_id_transfer_targets_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."transfer_targets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_assignee_id_agents_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_queue_target_id_transfer_targets_id_fk" FOREIGN KEY ("queue_target_id") REFERENCES "public"."transfer_targets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_targets" ADD CONSTRAINT "transfer_targets_stand_id_stands_id_fk" FOREIGN KEY ("stand_id") REFERENCES "public"."stands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_targets" ADD CONSTRAINT "transfer_targets_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "clients_stand_phone" ON "clients" USING btree ("stand_id","phone");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_stand_external_id" ON "clients" USING btree ("stand_id","external_id");--> statement-breakpoint
CREATE INDEX "clients_stand_email" ON "clients" USING btree ("stand_id",lower("email"));--> statement-breakpoint
CREATE INDEX "clients_stand_name" ON "clients" USING btree ("stand_id",lower("name"));--> statement-breakpoint
CREATE INDEX "message_status_changes_message" ON "message_status_changes" USING btree ("message_id","at");--> statement-breakpoint
CREATE INDEX "messages_client_created" ON "messages" USING btree ("client_id","created_at","id");--> statement-breakpoint
CREATE INDEX "messages_thread_created" ON "messages" USING btree ("thread_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_provider_request" ON "messages" USING btree ("provider_request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_send" ON "messages" USING btree ("send_id");--> statement-breakpoint
CREATE INDEX "messenger_usernames_lower" ON "messenger_usernames" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "sends_created" ON "sends" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "sends_agent_created" ON "sends" USING btree ("agent_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sends_client_created" ON "sends" USING btree ("client_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sends_channel_created" ON "sends" USING btree ("channel","created_at","id");--> statement-breakpoint
CREATE INDEX "sends_state_created" ON "sends" USING btree ("state","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "templates_channel_external" ON "templates" USING btree ("channel","external_id");--> statement-breakpoint
CREATE INDEX "thread_events_thread" ON "thread_events" USING btree ("thread_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "threads_one_active_per_client" ON "threads" USING btree ("client_id") WHERE "threads"."status" <> 'CLOSED';--> statement-breakpoint
CREATE INDEX "threads_assignee_active" ON "threads" USING btree ("assignee_id") WHERE "threads"."status" <> 'CLOSED';--> statement-breakpoint
CREATE UNIQUE INDEX "transfer_targets_stand_kind_name" ON "transfer_targets" USING btree ("stand_id","kind","name") WHERE "transfer_targets"."agent_id" is null;
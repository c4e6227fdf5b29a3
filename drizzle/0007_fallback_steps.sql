DROP INDEX "messages_send";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "fallback_step" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_send_step" ON "messages" USING btree ("send_id","fallback_step");
ALTER TABLE "sends" DROP CONSTRAINT "sends_request_id_unique";--> statement-breakpoint
ALTER TABLE "sends" ADD COLUMN "request_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "sends_requester_request" ON "sends" USING btree ("requested_by_id","request_id");
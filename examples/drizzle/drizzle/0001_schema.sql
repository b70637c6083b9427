CREATE TABLE "posts" (
	"id" serial PRIMARY KEY NOT NULL,
	"author_id" text DEFAULT auth.user_id() NOT NULL,
	"org_id" integer,
	"title" text NOT NULL,
	"published" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "posts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "crud-authenticated-policy-select" ON "posts" AS PERMISSIVE FOR SELECT TO "authenticated" USING ((select auth.user_id()) = "posts"."author_id");--> statement-breakpoint
CREATE POLICY "crud-authenticated-policy-insert" ON "posts" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ((select auth.user_id()) = "posts"."author_id");--> statement-breakpoint
CREATE POLICY "crud-authenticated-policy-update" ON "posts" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ((select auth.user_id()) = "posts"."author_id") WITH CHECK ((select auth.user_id()) = "posts"."author_id");--> statement-breakpoint
CREATE POLICY "crud-authenticated-policy-delete" ON "posts" AS PERMISSIVE FOR DELETE TO "authenticated" USING ((select auth.user_id()) = "posts"."author_id");--> statement-breakpoint
CREATE POLICY "org-members-read" ON "posts" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("posts"."org_id" = (select auth.claim('org_id')::pg_catalog.int4));--> statement-breakpoint
CREATE POLICY "anyone-reads-published" ON "posts" AS PERMISSIVE FOR SELECT TO "anon" USING ("posts"."published");
//! The whole platform on a fresh PostgreSQL: every committed migration applied, a realistic data
//! set loaded through the generated Diesel types (accounts, users, devices, six months of CDRs,
//! voicemails with transcriptions, subscriptions, billing events, invoices), then typed queries
//! across schemas: joins, JSONB containment, enums, numeric sums and inet containment.

mod common;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use ipnetwork::IpNetwork;
use schema_core::live::harness::TestDatabase;
use schema_core::Jsonb;
use schema_models::accounts::{accounts, Account, NewAccount};
use schema_models::auth::{users, NewUser, User};
use schema_models::billing::{
    account_subscriptions, billing_events, invoices, subscription_plans, AccountSubscription,
    BillingEvent, InvoiceStatus, NewAccountSubscription, NewBillingEvent, NewInvoice,
    NewSubscriptionPlan, SubscriptionPlan, SubscriptionStatus,
};
use schema_models::devices::{device_status, devices, Device, NewDevice, NewDeviceStatus};
use schema_models::telecom::{
    call_detail_records, CallDetailRecord, CallDirection, CallDisposition, NewCallDetailRecord,
};
use schema_models::voicemail::{
    voicemail_boxes, voicemail_messages, GreetingSettings, NewVoicemailBox, NewVoicemailMessage,
    TranscriptionStatus, VoicemailBox, VoicemailMessage, VoicemailMessageChanges,
};
use std::collections::BTreeMap;
use std::str::FromStr;
use uuid::Uuid;

const ACCOUNTS: usize = 3;
const USERS_PER_ACCOUNT: usize = 2;
const DEVICES_PER_ACCOUNT: usize = 4;
const CDRS_PER_ACCOUNT: usize = 1_000;
const MONTHS: u32 = 6;

fn dec(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

/// A deterministic spread of values (no randomness: the test must fail the same way twice).
fn pick(i: usize, n: usize) -> usize {
    (i * 7919 + 13) % n
}

/// A transcribed message as the cross-schema query returns it: account, mailbox, text,
/// confidence and the box's greeting settings.
type Transcript = (
    String,
    String,
    Option<String>,
    Option<BigDecimal>,
    Jsonb<GreetingSettings>,
);

struct Loaded {
    accounts: Vec<Account>,
    users: Vec<User>,
    devices: Vec<Device>,
    cdrs: Vec<CallDetailRecord>,
    messages: Vec<VoicemailMessage>,
    events: Vec<BillingEvent>,
}

/// Inserts through the generated `New*` types, leaving every defaulted column to the database
/// (`None`), and reads the rows back as the database stored them.
fn load(conn: &mut PgConnection) -> Loaded {
    let now = Utc::now();
    let new_accounts: Vec<NewAccount> = (0..ACCOUNTS)
        .map(|a| NewAccount {
            id: None,
            name: format!("Carrier {a}"),
            realm: format!("carrier{a}.sip.example.net"),
            status: None,
            parent_account_id: None,
            settings: Some(serde_json::json!({"timezone": "Europe/Brussels", "tier": if a == 0 { "gold" } else { "silver" }})),
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .collect();
    let accounts: Vec<Account> = diesel::insert_into(accounts::table)
        .values(&new_accounts)
        .returning(Account::as_returning())
        .get_results(conn)
        .unwrap();
    // The database filled what was left out: keys, the identity number, defaults.
    assert!(accounts
        .iter()
        .all(|a| a.status == "active" && a.account_number > 0));

    let new_users: Vec<NewUser> = accounts
        .iter()
        .flat_map(|a| {
            (0..USERS_PER_ACCOUNT).map(move |u| NewUser {
                id: None,
                account_id: a.id,
                username: format!("user{u}"),
                email: format!("user{u}@{}", a.realm),
                first_name: Some(format!("User {u}")),
                last_name: None,
                mfa_enabled: (u == 0).then_some(true),
                mfa_secret: None,
                last_login_ip: Some(format!("192.0.2.{}", 10 + u).parse().unwrap()),
                created_at: None,
                updated_at: None,
                deleted_at: None,
                password_hash: None,
            })
        })
        .collect();
    let users: Vec<User> = diesel::insert_into(users::table)
        .values(&new_users)
        .returning(User::as_returning())
        .get_results(conn)
        .unwrap();
    assert!(users
        .iter()
        .all(|u| u.mfa_enabled == (u.username == "user0")));

    let models = ["T54W", "VVX450", "W60B", "SPA112"];
    let new_devices: Vec<NewDevice> = accounts
        .iter()
        .enumerate()
        .flat_map(|(ai, a)| {
            let users = &users;
            (0..DEVICES_PER_ACCOUNT).map(move |d| NewDevice {
                id: None,
                account_id: a.id,
                owner_user_id: Some(users[ai * USERS_PER_ACCOUNT + d % USERS_PER_ACCOUNT].id),
                name: format!("Desk {d}"),
                device_type: (d == 3).then(|| "ata".into()),
                mac_address: Some(format!("00:1a:2b:{ai:02x}:00:{d:02x}")),
                sip_username: format!("ext{}", 100 + d),
                custom_metadata: Some(
                    serde_json::json!({"model": models[d], "firmware": {"channel": "stable"}}),
                ),
                enabled: None,
                created_at: None,
                updated_at: None,
                deleted_at: None,
            })
        })
        .collect();
    let devices: Vec<Device> = diesel::insert_into(devices::table)
        .values(&new_devices)
        .returning(Device::as_returning())
        .get_results(conn)
        .unwrap();
    assert!(devices.iter().all(|d| d.enabled && d.created_at >= now));
    let statuses: Vec<NewDeviceStatus> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| NewDeviceStatus {
            device_id: d.id,
            account_id: d.account_id,
            status: (i % 5 == 0).then(|| "offline".into()),
            last_seen: Some(now - Duration::minutes(i as i64)),
            last_ip_address: Some(format!("198.51.100.{}/32", i + 1).parse().unwrap()),
            registration_status: Some("ok".into()),
            uptime_seconds: Some(3_600 * i as i64),
            firmware_version: Some("66.86.0.15".into()),
            health_score: Some(dec(&format!("0.{}", 70 + i))),
            last_diagnostic_run: None,
            created_at: None,
            updated_at: None,
        })
        .collect();
    diesel::insert_into(device_status::table)
        .values(&statuses)
        .execute(conn)
        .unwrap();

    // Six months of CDRs per account, into the monthly partitions.
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let span_minutes = i64::from(MONTHS) * 30 * 24 * 60;
    let dispositions = [
        CallDisposition::Answered,
        CallDisposition::Answered,
        CallDisposition::Answered,
        CallDisposition::Busy,
        CallDisposition::NoAnswer,
        CallDisposition::Failed,
    ];
    let mut new_cdrs = Vec::new();
    for (ai, a) in accounts.iter().enumerate() {
        for c in 0..CDRS_PER_ACCOUNT {
            let i = ai * CDRS_PER_ACCOUNT + c;
            let started_at = start + Duration::minutes(pick(i, span_minutes as usize) as i64);
            let disposition = dispositions[pick(i, dispositions.len())];
            let answered = disposition == CallDisposition::Answered;
            let seconds = (pick(i, 600) + 5) as i64;
            new_cdrs.push(NewCallDetailRecord {
                account_id: a.id,
                call_id: format!("{i:06}@carrier{ai}.example.net"),
                direction: if i % 2 == 0 {
                    CallDirection::Inbound
                } else {
                    CallDirection::Outbound
                },
                caller_number: Some(format!("+3220{:06}", pick(i, 1_000_000))),
                callee_number: Some(format!("+3250{:06}", pick(i + 1, 1_000_000))),
                started_at,
                answered_at: answered.then(|| started_at + Duration::seconds(3)),
                ended_at: Some(started_at + Duration::seconds(seconds)),
                disposition: Some(disposition),
                // A tenth of the traffic comes from one carrier network.
                source_ip: Some(if i % 10 == 0 {
                    format!("203.0.113.{}", i % 250 + 1).parse().unwrap()
                } else {
                    format!("198.18.{}.{}", i % 200, i % 250 + 1)
                        .parse()
                        .unwrap()
                }),
                carrier_network: Some("203.0.113.0/24".parse().unwrap()),
                codecs: Some(vec!["opus".into(), "pcmu".into()]),
                cost: answered.then(|| dec(&format!("0.{:04}", seconds * 10))),
                created_at: Some(started_at),
            });
        }
    }
    let mut cdrs: Vec<CallDetailRecord> = Vec::new();
    for chunk in new_cdrs.chunks(1_000) {
        cdrs.extend(
            diesel::insert_into(call_detail_records::table)
                .values(chunk)
                .returning(CallDetailRecord::as_returning())
                .get_results(conn)
                .unwrap(),
        );
    }

    // Voicemail: a box per user, five messages each, most transcribed.
    let new_boxes: Vec<NewVoicemailBox> = users
        .iter()
        .enumerate()
        .map(|(u, user)| NewVoicemailBox {
            id: None,
            account_id: user.account_id,
            owner_user_id: Some(user.id),
            mailbox_number: format!("{}", 8000 + u),
            pin_hash: None,
            max_messages: None,
            greeting: Some(Jsonb(GreetingSettings {
                active_greeting: Some("unavailable".into()),
                custom_recording: None,
                play_caller_id: u % 2 == 0,
            })),
            notify_emails: Some(vec![user.email.clone()]),
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .collect();
    let boxes: Vec<VoicemailBox> = diesel::insert_into(voicemail_boxes::table)
        .values(&new_boxes)
        .returning(VoicemailBox::as_returning())
        .get_results(conn)
        .unwrap();
    assert!(boxes.iter().all(|b| b.max_messages == 100));
    let transcribed = [
        TranscriptionStatus::Completed,
        TranscriptionStatus::Completed,
        TranscriptionStatus::Completed,
        TranscriptionStatus::NotRequested,
        TranscriptionStatus::Failed,
    ];
    let new_messages: Vec<NewVoicemailMessage> = boxes
        .iter()
        .flat_map(|b| {
            transcribed.iter().enumerate().map(move |(m, status)| {
                let done = *status == TranscriptionStatus::Completed;
                NewVoicemailMessage {
                    id: None,
                    account_id: b.account_id,
                    box_id: b.id,
                    caller_number: Some(format!("+322000{m:04}")),
                    caller_name: None,
                    duration_seconds: 10 + m as i32,
                    received_at: Some(now - Duration::hours(m as i64)),
                    recording_key: format!("vm/{}/{m}.wav", b.id),
                    // `not_requested` is the column's default: left to the database.
                    transcription_status: (*status != TranscriptionStatus::NotRequested)
                        .then_some(*status),
                    transcription_text: done
                        .then(|| format!("Please call me back about order {m}.")),
                    transcription_confidence: done.then(|| dec(&format!("0.9{m}"))),
                    transcription_service: done.then(|| "whisper".into()),
                    transcription_completed_at: done.then_some(now),
                    metadata: Some(serde_json::json!({"language": "en", "spam_score": m})),
                    created_at: None,
                    updated_at: None,
                    deleted_at: None,
                }
            })
        })
        .collect();
    let messages: Vec<VoicemailMessage> = diesel::insert_into(voicemail_messages::table)
        .values(&new_messages)
        .returning(VoicemailMessage::as_returning())
        .get_results(conn)
        .unwrap();
    assert_eq!(
        messages
            .iter()
            .map(|m| m.transcription_status)
            .collect::<Vec<_>>(),
        boxes.iter().flat_map(|_| transcribed).collect::<Vec<_>>()
    );

    // Billing: a plan, a subscription per account, an event per answered call, monthly invoices.
    let plan: SubscriptionPlan = diesel::insert_into(subscription_plans::table)
        .values(&NewSubscriptionPlan {
            id: None,
            code: "pro".into(),
            name: "Pro".into(),
            description: Some("Unlimited extensions".into()),
            billing_cycle_days: Some(30),
            base_price: dec("49.00"),
            currency: Some("EUR".into()),
            features: Some(serde_json::json!({"seats": 25, "recording": true})),
            is_active: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .returning(SubscriptionPlan::as_returning())
        .get_result(conn)
        .unwrap();
    assert!(plan.is_active);
    let new_subscriptions: Vec<NewAccountSubscription> = accounts
        .iter()
        .map(|a| NewAccountSubscription {
            id: None,
            account_id: a.id,
            plan_id: plan.id,
            status: Some(SubscriptionStatus::Active),
            started_at: start,
            expires_at: None,
            auto_renew: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .collect();
    let subscriptions: Vec<AccountSubscription> = diesel::insert_into(account_subscriptions::table)
        .values(&new_subscriptions)
        .returning(AccountSubscription::as_returning())
        .get_results(conn)
        .unwrap();
    let new_events: Vec<NewBillingEvent> = cdrs
        .iter()
        .filter(|c| c.cost.is_some())
        .map(|c| NewBillingEvent {
            account_id: c.account_id,
            subscription_id: subscriptions
                .iter()
                .find(|s| s.account_id == c.account_id)
                .map(|s| s.id),
            event_type: "call_usage".into(),
            amount: c.cost.clone().unwrap(),
            currency: Some("EUR".into()),
            quantity: Some(BigDecimal::from(1)),
            unit_type: Some("call".into()),
            description: None,
            metadata: Some(serde_json::json!({"call_id": c.call_id})),
            occurred_at: Some(c.ended_at.unwrap()),
            processed_at: None,
        })
        .collect();
    let mut events: Vec<BillingEvent> = Vec::new();
    for chunk in new_events.chunks(1_000) {
        events.extend(
            diesel::insert_into(billing_events::table)
                .values(chunk)
                .returning(BillingEvent::as_returning())
                .get_results(conn)
                .unwrap(),
        );
    }
    let invoices: Vec<NewInvoice> = accounts
        .iter()
        .flat_map(|a| {
            (1..=MONTHS).map(move |m| {
                let period_start = NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
                NewInvoice {
                    id: None,
                    account_id: a.id,
                    invoice_number: format!("INV-2026-{m:02}"),
                    status: Some(if m < MONTHS {
                        InvoiceStatus::Paid
                    } else {
                        InvoiceStatus::Issued
                    }),
                    period_start,
                    period_end: NaiveDate::from_ymd_opt(2026, m + 1, 1).unwrap(),
                    due_on: NaiveDate::from_ymd_opt(2026, m + 1, 15).unwrap(),
                    subtotal: Some(dec("49.00")),
                    tax: Some(dec("10.29")),
                    total: Some(dec("59.29")),
                    currency: Some("EUR".into()),
                    issued_at: Some(now),
                    created_at: None,
                    updated_at: None,
                    deleted_at: None,
                }
            })
        })
        .collect();
    diesel::insert_into(invoices::table)
        .values(&invoices)
        .execute(conn)
        .unwrap();
    Loaded {
        accounts,
        users,
        devices,
        cdrs,
        messages,
        events,
    }
}

#[test]
fn a_realistic_data_set_loads_and_typed_queries_work_across_schemas() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    run_all(&mut conn);
    assert_catalog_matches(&mut conn, &platform_schema());
    let data = load(&mut conn);
    let names: BTreeMap<Uuid, String> = data
        .accounts
        .iter()
        .map(|a| (a.id, a.name.clone()))
        .collect();

    // Join across schemas (telecom → accounts) with numeric sums, grouped per account.
    let per_account: Vec<(String, i64, Option<BigDecimal>)> = call_detail_records::table
        .inner_join(accounts::table)
        .group_by(accounts::name)
        .select((accounts::name, count_star(), sum(call_detail_records::cost)))
        .order_by(accounts::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(per_account.len(), ACCOUNTS);
    for (name, calls, cost) in &per_account {
        assert_eq!(*calls, CDRS_PER_ACCOUNT as i64, "{name}");
        let expected: BigDecimal = data
            .cdrs
            .iter()
            .filter(|c| names[&c.account_id] == *name)
            .filter_map(|c| c.cost.clone())
            .sum();
        assert_eq!(cost.clone().unwrap(), expected, "{name}");
    }

    // The same money through billing: one event per answered call, summed per account.
    let billed: Vec<(Uuid, Option<BigDecimal>)> = billing_events::table
        .group_by(billing_events::account_id)
        .select((billing_events::account_id, sum(billing_events::amount)))
        .load(&mut conn)
        .unwrap();
    for (account, amount) in billed {
        let cdr_cost = per_account.iter().find(|p| p.0 == names[&account]).unwrap();
        assert_eq!(amount, cdr_cost.2, "billing events match the CDR costs");
    }
    assert_eq!(
        billing_events::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap(),
        data.events.len() as i64
    );

    // Enums: answered inbound calls, compared with the data set.
    let answered_inbound: i64 = call_detail_records::table
        .filter(call_detail_records::disposition.eq(CallDisposition::Answered))
        .filter(call_detail_records::direction.eq(CallDirection::Inbound))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let expected = data
        .cdrs
        .iter()
        .filter(|c| {
            c.disposition == Some(CallDisposition::Answered)
                && c.direction == CallDirection::Inbound
        })
        .count() as i64;
    assert_eq!(answered_inbound, expected);
    assert!(answered_inbound > 0);

    // A generated column computed by PostgreSQL, read back typed.
    let longest: Option<i32> = call_detail_records::table
        .select(diesel::dsl::max(call_detail_records::duration_seconds))
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(longest, Some(604));

    // Partition pruning is the database's business, but every month landed in its partition.
    let january: i64 = call_detail_records::table
        .filter(
            call_detail_records::started_at.ge(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        )
        .filter(
            call_detail_records::started_at.lt(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
        )
        .count()
        .get_result(&mut conn)
        .unwrap();
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let in_partition =
        diesel::sql_query("SELECT count(*) AS n FROM telecom.call_detail_records_p2026_01")
            .get_result::<N>(&mut conn)
            .unwrap()
            .n;
    assert_eq!(january, in_partition);
    assert!(january > 0);

    // inet: calls whose source lies in a carrier network.
    let network: IpNetwork = "203.0.113.0/24".parse().unwrap();
    let from_network: i64 = call_detail_records::table
        .filter(call_detail_records::source_ip.is_contained_by(network))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(from_network, (ACCOUNTS * CDRS_PER_ACCOUNT / 10) as i64);

    // JSONB containment on devices, joined to their owners (devices → auth) and status.
    let desk_phones: Vec<(String, String, String)> = devices::table
        .inner_join(users::table.on(users::id.nullable().eq(devices::owner_user_id)))
        .inner_join(device_status::table)
        .filter(devices::custom_metadata.contains(serde_json::json!({"model": "T54W"})))
        .select((users::email, devices::name, device_status::status))
        .order_by(users::email)
        .load(&mut conn)
        .unwrap();
    assert_eq!(desk_phones.len(), ACCOUNTS);
    assert!(desk_phones.iter().all(|(_, name, _)| name == "Desk 0"));
    let gold: Vec<String> = accounts::table
        .filter(accounts::settings.contains(serde_json::json!({"tier": "gold"})))
        .select(accounts::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(gold, ["Carrier 0"]);
    assert_eq!(data.devices.len(), ACCOUNTS * DEVICES_PER_ACCOUNT);

    // Voicemail: transcribed messages with their box, owner and account (three schemas), and a
    // typed jsonb greeting read back as its struct.
    let transcripts: Vec<Transcript> = voicemail_messages::table
        .inner_join(voicemail_boxes::table)
        .inner_join(accounts::table)
        .filter(voicemail_messages::transcription_status.eq(TranscriptionStatus::Completed))
        .filter(voicemail_messages::transcription_confidence.ge(dec("0.91")))
        .select((
            accounts::name,
            voicemail_boxes::mailbox_number,
            voicemail_messages::transcription_text,
            voicemail_messages::transcription_confidence,
            voicemail_boxes::greeting,
        ))
        .load(&mut conn)
        .unwrap();
    let expected = data
        .messages
        .iter()
        .filter(|m| m.transcription_status == TranscriptionStatus::Completed)
        .filter(|m| {
            m.transcription_confidence
                .as_ref()
                .is_some_and(|c| *c >= dec("0.91"))
        })
        .count();
    assert_eq!(transcripts.len(), expected);
    assert!(transcripts.iter().all(|t| t
        .2
        .as_deref()
        .is_some_and(|s| s.starts_with("Please call me back"))));
    assert!(transcripts.iter().any(|t| t.4 .0.play_caller_id));
    let untranscribed: i64 = voicemail_messages::table
        .filter(voicemail_messages::transcription_status.eq(TranscriptionStatus::NotRequested))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(untranscribed, data.users.len() as i64);

    // Billing across schemas: open invoices with their subscription's plan.
    let open: Vec<(String, String, BigDecimal, InvoiceStatus)> = invoices::table
        .inner_join(
            accounts::table
                .inner_join(account_subscriptions::table.inner_join(subscription_plans::table)),
        )
        .filter(invoices::status.eq(InvoiceStatus::Issued))
        .select((
            accounts::name,
            subscription_plans::code,
            invoices::total,
            invoices::status,
        ))
        .order_by(accounts::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(open.len(), ACCOUNTS);
    assert!(open.iter().all(|o| o.1 == "pro" && o.2 == dec("59.29")));
    let paid: Option<BigDecimal> = invoices::table
        .filter(invoices::status.eq(InvoiceStatus::Paid))
        .select(sum(invoices::total))
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(
        paid,
        Some(dec("59.29") * BigDecimal::from(ACCOUNTS as u32 * (MONTHS - 1)))
    );

    // A whole typed row back, equal to what the insert returned, with what PostgreSQL
    // assigned: the serial key and the generated duration.
    let first = &data.cdrs[0];
    let stored: CallDetailRecord = call_detail_records::table
        .filter(call_detail_records::call_id.eq(&first.call_id))
        .select(CallDetailRecord::as_select())
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(stored, *first);
    assert!(stored.id > 0);
    assert_eq!(
        stored.duration_seconds.map(i64::from),
        stored
            .ended_at
            .map(|end| (end - stored.started_at).num_seconds())
    );
    let _: &DateTime<Utc> = &stored.started_at;

    // A change type sets what is `Some`, sets NULL for `Some(None)`, and leaves the rest.
    let message = data
        .messages
        .iter()
        .find(|m| m.transcription_text.is_some())
        .unwrap();
    let changed: VoicemailMessage = diesel::update(voicemail_messages::table.find(message.id))
        .set(&VoicemailMessageChanges {
            transcription_status: Some(TranscriptionStatus::Failed),
            transcription_text: Some(None),
            ..Default::default()
        })
        .returning(VoicemailMessage::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(changed.transcription_status, TranscriptionStatus::Failed);
    assert_eq!(changed.transcription_text, None);
    assert_eq!(
        changed.transcription_confidence,
        message.transcription_confidence
    );
    assert_eq!(changed.recording_key, message.recording_key);
    assert!(
        changed.updated_at >= message.updated_at,
        "the trigger keeps updated_at"
    );
    // Nothing to set is Diesel's error, not a silent no-op.
    assert!(diesel::update(voicemail_messages::table.find(message.id))
        .set(&VoicemailMessageChanges::default())
        .execute(&mut conn)
        .is_err());
}

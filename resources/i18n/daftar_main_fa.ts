<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>FilterBar</name>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="223"/>
        <source>All</source>
        <translation>همه</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="244"/>
        <source>Overdue %1</source>
        <translation>معوق %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="246"/>
        <source>%1 requests</source>
        <translation>%1 درخواست</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="261"/>
        <source>Search tracking code, citizen, phone, address or description (Ctrl+F)</source>
        <translation>جستجو در کد رهگیری، شهروند، تلفن، نشانی یا شرح (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="262"/>
        <source>&amp;Category:</source>
        <translation>&amp;موضوع:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="263"/>
        <source>&amp;Neighbourhood:</source>
        <translation>م&amp;حله:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="264"/>
        <source>C&amp;rew:</source>
        <translation>ا&amp;کیپ:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="265"/>
        <source>C&amp;hannel:</source>
        <translation>&amp;کانال:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="266"/>
        <source>From</source>
        <translation>از</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="267"/>
        <source>To</source>
        <translation>تا</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="268"/>
        <source>Clear filters</source>
        <translation>پاک کردن فیلترها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="269"/>
        <source>Show every request again</source>
        <translation>نمایش همه‌ی درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="270"/>
        <source>Open requests past their category&apos;s target days</source>
        <translation>درخواست‌های باز که از مهلت موضوعشان گذشته است</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/filters.py" line="272"/>
        <source>Show only this status (click again to show all)</source>
        <translation>فقط همین وضعیت (برای نمایش همه، دوباره کلیک کنید)</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="98"/>
        <source>Daftar — sign in</source>
        <translation>دفتر — ورود</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="101"/>
        <source>Welcome. Nobody works in this office&apos;s Daftar yet: create the manager&apos;s account first. The manager can then add the other users.</source>
        <translation>خوش آمدید. هنوز کسی در دفتر این ناحیه کار نمی‌کند: نخست حساب مدیر را بسازید. مدیر سپس کاربران دیگر را می‌افزاید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="103"/>
        <source>Create and sign in</source>
        <translation>ساختن و ورود</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="105"/>
        <source>Who is working? Sign in with your user name and password.</source>
        <translation>چه کسی کار می‌کند؟ با نام کاربری و گذرواژه‌ی خود وارد شوید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="106"/>
        <source>Sign in</source>
        <translation>ورود</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="107"/>
        <source>Quit</source>
        <translation>خروج</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="108"/>
        <source>Your name:</source>
        <translation>نام شما:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="109"/>
        <source>User name:</source>
        <translation>نام کاربری:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="110"/>
        <source>Password:</source>
        <translation>گذرواژه:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="111"/>
        <source>Password again:</source>
        <translation>تکرار گذرواژه:</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="132"/>
        <source>The two passwords are not the same.</source>
        <translation>دو گذرواژه یکسان نیستند.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="156"/>
        <source>Wrong user name or password.</source>
        <translation>نام کاربری یا گذرواژه نادرست است.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="160"/>
        <source>Could not sign in: %1</source>
        <translation>ورود ممکن نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="164"/>
        <source>Choose a user name.</source>
        <translation>یک نام کاربری برگزینید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="165"/>
        <source>The password needs at least %1 characters.</source>
        <translation>گذرواژه باید دست‌کم %1 نویسه باشد.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/login.py" line="167"/>
        <source>This user name is taken.</source>
        <translation>این نام کاربری پیش‌تر گرفته شده است.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="233"/>
        <source>Could not read the requests: %1</source>
        <translation>خواندن درخواست‌ها ممکن نشد: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="236"/>
        <source>%1 new requests were referred to this office by the centre.</source>
        <translation>%1 درخواست تازه از مرکز به این دفتر ارجاع شد.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="301"/>
        <location filename="../../desktop_app/ui/main_window.py" line="349"/>
        <source>Reports</source>
        <translation>گزارش‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="307"/>
        <source>Search</source>
        <translation>جستجو</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="308"/>
        <source>New walk-in request</source>
        <translation>ثبت درخواست حضوری</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="309"/>
        <source>Assign the selected requests to a crew</source>
        <translation>واگذاری درخواست‌های برگزیده به اکیپ</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="310"/>
        <source>Open the current request (or Enter)</source>
        <translation>باز کردن درخواست جاری (یا Enter)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="311"/>
        <source>Next request</source>
        <translation>درخواست بعدی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="312"/>
        <source>Previous request</source>
        <translation>درخواست قبلی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="313"/>
        <source>Print work orders</source>
        <translation>چاپ دستور کار</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="314"/>
        <source>Clear filters</source>
        <translation>پاک کردن فیلترها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="315"/>
        <source>Read the table again</source>
        <translation>خواندن دوباره‌ی جدول</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="316"/>
        <source>Sync now</source>
        <translation>همگام‌سازی اکنون</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="321"/>
        <source>Keyboard shortcuts</source>
        <translation>میان‌برهای صفحه‌کلید</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="345"/>
        <source>Daftar — 137 requests — %1</source>
        <translation>دفتر — درخواست‌های ۱۳۷ — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="347"/>
        <source>Requests</source>
        <translation>درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="350"/>
        <source>&amp;Office</source>
        <translation>&amp;دفتر</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="351"/>
        <source>&amp;Requests</source>
        <translation>د&amp;رخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="352"/>
        <source>&amp;View</source>
        <translation>&amp;نما</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="353"/>
        <source>&amp;Language</source>
        <translation>&amp;زبان</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="354"/>
        <source>&amp;Help</source>
        <translation>&amp;راهنما</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="355"/>
        <source>Main toolbar</source>
        <translation>نوار ابزار اصلی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="357"/>
        <source>&amp;Search</source>
        <translation>&amp;جستجو</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="358"/>
        <source>&amp;Clear filters</source>
        <translation>&amp;پاک کردن فیلترها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="359"/>
        <source>Re&amp;fresh</source>
        <translation>&amp;تازه‌سازی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="360"/>
        <source>&amp;Next request</source>
        <translation>درخواست &amp;بعدی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="361"/>
        <source>&amp;Previous request</source>
        <translation>درخواست &amp;قبلی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="362"/>
        <source>&amp;Open request</source>
        <translation>&amp;باز کردن درخواست</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="363"/>
        <source>New &amp;walk-in</source>
        <translation>درخواست &amp;حضوری</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="364"/>
        <source>&amp;Assign to crew…</source>
        <translation>&amp;واگذاری به اکیپ…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="365"/>
        <source>&amp;Print work orders</source>
        <translation>&amp;چاپ دستور کار</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="366"/>
        <source>Print a crew&apos;s &amp;day sheet…</source>
        <translation>چاپ &amp;برگه‌ی روزانه‌ی اکیپ…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="367"/>
        <source>S&amp;ync now</source>
        <translation>&amp;همگام‌سازی اکنون</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="368"/>
        <source>Sync &amp;problems…</source>
        <translation>&amp;مشکلات همگام‌سازی…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="369"/>
        <source>&amp;Crews…</source>
        <translation>ا&amp;کیپ‌ها…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="370"/>
        <source>&amp;Users…</source>
        <translation>&amp;کاربران…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="371"/>
        <source>&amp;Reports</source>
        <translation>&amp;گزارش‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="372"/>
        <source>&amp;Quit</source>
        <translation>&amp;خروج</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="373"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;میان‌برهای صفحه‌کلید</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="380"/>
        <source>Assign the selected requests to a crew (referred, assigned or in progress only)</source>
        <translation>واگذاری درخواست‌های برگزیده به اکیپ (فقط ارجاع‌شده، واگذارشده یا در دست اقدام)</translation>
    </message>
    <message>
        <source>&amp;Backups…</source>
        <translation>&amp;پشتیبان‌ها…</translation>
    </message>
    <message>
        <source>Completion &amp;photos…</source>
        <translation>&amp;عکس پایان کار…</translation>
    </message>
</context>
<context>
    <name>RequestTable</name>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="164"/>
        <source>Tracking code</source>
        <translation>کد رهگیری</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="165"/>
        <source>Received</source>
        <translation>تاریخ ثبت</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="166"/>
        <source>Status</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="167"/>
        <source>Due</source>
        <translation>موعد</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="168"/>
        <source>Category</source>
        <translation>موضوع</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="169"/>
        <source>Description</source>
        <translation>شرح</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="170"/>
        <source>Neighbourhood</source>
        <translation>محله</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="171"/>
        <source>Address</source>
        <translation>نشانی</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="172"/>
        <source>Citizen</source>
        <translation>شهروند</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="173"/>
        <source>Phone</source>
        <translation>تلفن</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="174"/>
        <source>Crew</source>
        <translation>اکیپ</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="175"/>
        <source>Channel</source>
        <translation>کانال</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="335"/>
        <source>Click to sort by this column</source>
        <translation>برای مرتب‌سازی بر پایه‌ی این ستون کلیک کنید</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="408"/>
        <source>1 day late</source>
        <translation>۱ روز تأخیر</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="409"/>
        <source>%1 days late</source>
        <translation>%1 روز تأخیر</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="432"/>
        <source>Target: %1</source>
        <translation>موعد: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/request_table.py" line="435"/>
        <source>Overdue — past its category&apos;s target days.</source>
        <translation>معوق — از مهلت موضوع خود گذشته است.</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="72"/>
        <source>Sending changes</source>
        <translation>ارسال تغییرات</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="74"/>
        <source>Receiving changes</source>
        <translation>دریافت تغییرات</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="88"/>
        <source>Photos</source>
        <translation>عکس‌ها</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="87"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="91"/>
        <source>Syncing…</source>
        <translation>در حال همگام‌سازی…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="92"/>
        <source>Sending and receiving changes.</source>
        <translation>تغییرات فرستاده و دریافت می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="94"/>
        <source>Not enrolled</source>
        <translation>عضو مرکز نیست</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="95"/>
        <source>This office has not joined the 137 centre yet: everything works here, nothing is sent.</source>
        <translation>این دفتر هنوز به مرکز ۱۳۷ نپیوسته است: همه‌چیز اینجا کار می‌کند و چیزی فرستاده نمی‌شود.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="98"/>
        <source>Offline</source>
        <translation>آفلاین</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="101"/>
        <source>Disk full</source>
        <translation>دیسک پر است</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="102"/>
        <source>The disk holding the office's data is full. Nothing was lost: free space on it, then sync again.</source>
        <translation>دیسکی که داده‌های دفتر روی آن است پر شده است. چیزی از دست نرفته است: روی آن جا باز کنید و دوباره همگام کنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="99"/>
        <source>The centre could not be reached; work goes on and is sent later.</source>
        <translation>دسترسی به مرکز ممکن نشد؛ کار ادامه دارد و تغییرات بعداً فرستاده می‌شود.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="103"/>
        <source>Online</source>
        <translation>آنلاین</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="104"/>
        <source>Connected to the 137 centre.</source>
        <translation>به مرکز ۱۳۷ وصل است.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="106"/>
        <source>Not yet synced</source>
        <translation>هنوز همگام نشده</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="107"/>
        <source>No sync round has run since the app opened.</source>
        <translation>از زمان باز شدن برنامه هنوز همگام‌سازی انجام نشده است.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="110"/>
        <source>Click to sync now.</source>
        <translation>برای همگام‌سازی اکنون کلیک کنید.</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="112"/>
        <source>Waiting to send: %1</source>
        <translation>در انتظار ارسال: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="113"/>
        <source>Changes made here that the centre has not yet received</source>
        <translation>تغییراتی که اینجا انجام شده و هنوز به مرکز نرسیده است</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="114"/>
        <source>never</source>
        <translation>هرگز</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="115"/>
        <source>Last sync: %1</source>
        <translation>آخرین همگام‌سازی: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="118"/>
        <source>Sync problems: %1</source>
        <translation>مشکلات همگام‌سازی: %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/status_bar.py" line="121"/>
        <source>Changes the centre refused or that clash with the centre&apos;s copy: open to settle them</source>
        <translation>تغییراتی که مرکز نپذیرفت یا با نسخه‌ی مرکز ناسازگار است: برای رسیدگی باز کنید</translation>
    </message>
</context>
</TS>

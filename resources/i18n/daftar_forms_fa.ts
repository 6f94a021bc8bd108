<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
    <context>
        <name>AssignDialog</name>
        <message>
            <source>Assign to a crew</source>
            <translation>واگذاری به اکیپ</translation>
        </message>
        <message>
            <source>Assign</source>
            <translation>واگذار کن</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>Loading crews…</source>
            <translation>در حال خواندن اکیپ‌ها…</translation>
        </message>
        <message>
            <source>There is no active crew. Add one under Crews first.</source>
            <translation>هیچ اکیپ فعالی نیست. نخست در «اکیپ‌ها» یکی بیفزایید.</translation>
        </message>
        <message>
            <source>Which crew should do request %1?</source>
            <translation>درخواست %1 را کدام اکیپ انجام دهد؟</translation>
        </message>
        <message>
            <source>Which crew should do these %1 requests?</source>
            <translation>این %1 درخواست را کدام اکیپ انجام دهد؟</translation>
        </message>
        <message>
            <source>%1 — supervisor %2</source>
            <translation>%1 — سرپرست: %2</translation>
        </message>
        <message>
            <source>%1 · open work: %2</source>
            <translation>%1 · کار باز: %2</translation>
        </message>
        <message>
            <source>current crew</source>
            <translation>اکیپ کنونی</translation>
        </message>
    </context>
    <context>
        <name>CrewDayDialog</name>
        <message>
            <source>Print a crew's day sheet</source>
            <translation>چاپ برگهٔ کار روزانهٔ اکیپ</translation>
        </message>
        <message>
            <source>Crew</source>
            <translation>اکیپ</translation>
        </message>
        <message>
            <source>Day</source>
            <translation>روز</translation>
        </message>
        <message>
            <source>Paper</source>
            <translation>کاغذ</translation>
        </message>
        <message>
            <source>The sheet lists the crew's open work, one work order per request, and records each as issued.</source>
            <translation>برگه کارهای باز اکیپ را می‌آورد، برای هر درخواست یک دستور کار، و صدور هر یک را ثبت می‌کند.</translation>
        </message>
        <message>
            <source>Print</source>
            <translation>چاپ</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
    </context>
    <context>
        <name>CrewsDialog</name>
        <message>
            <source>Crews</source>
            <translation>اکیپ‌ها</translation>
        </message>
        <message>
            <source>Crew</source>
            <translation>اکیپ</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>سرپرست</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>تلفن</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>فعال</translation>
        </message>
        <message>
            <source>Name *</source>
            <translation>نام *</translation>
        </message>
        <message>
            <source>District *</source>
            <translation>ناحیه *</translation>
        </message>
        <message>
            <source>Active: offered when work is assigned</source>
            <translation>فعال: هنگام واگذاری کار پیشنهاد شود</translation>
        </message>
        <message>
            <source>A crew is never deleted: make it inactive and it is no longer offered for new work. Work it already has stays with it.</source>
            <translation>اکیپ هرگز حذف نمی‌شود: اگر غیرفعالش کنید دیگر برای کار تازه پیشنهاد نمی‌شود. کارهایی که دارد نزد خودش می‌ماند.</translation>
        </message>
        <message>
            <source>Only a manager or a crew supervisor can change crews.</source>
            <translation>تنها مدیر یا سرپرست اکیپ می‌تواند اکیپ‌ها را تغییر دهد.</translation>
        </message>
        <message>
            <source>New crew</source>
            <translation>اکیپ تازه</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>ذخیره</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
        <message>
            <source>Change crew</source>
            <translation>ویرایش اکیپ</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>بله</translation>
        </message>
        <message>
            <source>no</source>
            <translation>خیر</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>ذخیره شد.</translation>
        </message>
    </context>
    <context>
        <name>EditRequestDialog</name>
        <message>
            <source>This request is no longer open at the district, so it cannot be corrected. Reopen it first if it must change.</source>
            <translation>این درخواست دیگر در ناحیه باز نیست و نمی‌توان آن را اصلاح کرد. اگر باید تغییر کند، نخست آن را دوباره باز کنید.</translation>
        </message>
        <message>
            <source>Correct request %1</source>
            <translation>اصلاح درخواست %1</translation>
        </message>
        <message>
            <source>Correct what was recorded wrongly. Only the fields you change are sent to the centre, and the request's history records who corrected what.</source>
            <translation>آنچه نادرست ثبت شده را اصلاح کنید. تنها خانه‌هایی که تغییر می‌دهید به مرکز فرستاده می‌شوند و سابقهٔ درخواست نشان می‌دهد چه کسی چه چیزی را اصلاح کرد.</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>تلفن</translation>
        </message>
        <message>
            <source>Citizen's name</source>
            <translation>نام شهروند</translation>
        </message>
        <message>
            <source>Neighbourhood</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>نشانی</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>شرح</translation>
        </message>
        <message>
            <source>Latitude</source>
            <translation>عرض جغرافیایی</translation>
        </message>
        <message>
            <source>Longitude</source>
            <translation>طول جغرافیایی</translation>
        </message>
        <message>
            <source>e.g. 33.98</source>
            <translation>مثلاً ۳۳٫۹۸</translation>
        </message>
        <message>
            <source>e.g. 51.43</source>
            <translation>مثلاً ۵۱٫۴۳</translation>
        </message>
        <message>
            <source>Save the correction</source>
            <translation>ثبت اصلاح</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>Write the number with digits and a decimal point, e.g. 33.98.</source>
            <translation>عدد را با رقم و ممیز بنویسید، مثلاً ۳۳٫۹۸.</translation>
        </message>
    </context>
    <context>
        <name>OutcomeDialog</name>
        <message>
            <source>Mark as done</source>
            <translation>ثبت انجام کار</translation>
        </message>
        <message>
            <source>Mark done</source>
            <translation>انجام شد</translation>
        </message>
        <message>
            <source>What was done (optional)</source>
            <translation>چه کاری انجام شد (اختیاری)</translation>
        </message>
        <message>
            <source>Cannot be done</source>
            <translation>قابل انجام نیست</translation>
        </message>
        <message>
            <source>Close as not actionable</source>
            <translation>بستن با «قابل انجام نیست»</translation>
        </message>
        <message>
            <source>Explanation for the citizen (optional)</source>
            <translation>توضیح برای شهروند (اختیاری)</translation>
        </message>
        <message>
            <source>Reopen</source>
            <translation>بازگشایی</translation>
        </message>
        <message>
            <source>Why it is reopened (optional)</source>
            <translation>چرا بازگشایی می‌شود (اختیاری)</translation>
        </message>
        <message>
            <source>Take back from the crew</source>
            <translation>پس گرفتن از اکیپ</translation>
        </message>
        <message>
            <source>Take back</source>
            <translation>پس بگیر</translation>
        </message>
        <message>
            <source>Why (optional)</source>
            <translation>چرا (اختیاری)</translation>
        </message>
        <message>
            <source>Start work</source>
            <translation>شروع کار</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>شروع</translation>
        </message>
        <message>
            <source>Note (optional)</source>
            <translation>یادداشت (اختیاری)</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>دلیل</translation>
        </message>
        <message>
            <source>Original request</source>
            <translation>درخواست اصلی</translation>
        </message>
        <message>
            <source>Choose why it cannot be done</source>
            <translation>دلیل انجام‌نشدن را برگزینید</translation>
        </message>
        <message>
            <source>Tracking code of the original request</source>
            <translation>کد رهگیری درخواست اصلی</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>Request %1 (now “%2”)</source>
            <translation>درخواست %1 (اکنون «%2»)</translation>
        </message>
        <message>
            <source>%1 requests selected</source>
            <translation>%1 درخواست برگزیده شده</translation>
        </message>
        <message>
            <source>No request has this tracking code.</source>
            <translation>درخواستی با این کد رهگیری نیست.</translation>
        </message>
        <message>
            <source>%1: %2 in %3, now “%4”</source>
            <translation>%1: %2 در %3، اکنون «%4»</translation>
        </message>
        <message>
            <source>Choose why the request cannot be done.</source>
            <translation>دلیل انجام‌نشدن درخواست را برگزینید.</translation>
        </message>
        <message>
            <source>A duplicate must name its original: enter its tracking code.</source>
            <translation>درخواست تکراری باید درخواست اصلی را نشان دهد: کد رهگیری آن را بنویسید.</translation>
        </message>
        <message>
            <source>The citizen reads this: when the request has their mobile number, the outcome, the reason and this text go to them by SMS, word for word. Write it for them, in plain words.</source>
            <translation>این متن را شهروند می‌خواند: اگر شمارهٔ همراه او در درخواست باشد، نتیجه، دلیل و همین متن عیناً با پیامک برایش فرستاده می‌شود. آن را برای او و به زبان ساده بنویسید.</translation>
        </message>
        <message>
            <source>A photo of the finished work is attached already; you may add another.</source>
            <translation>عکس کار انجام‌شده پیش‌تر پیوست شده است؛ می‌توانید عکس دیگری هم بیفزایید.</translation>
        </message>
        <message>
            <source>Choose photo…</source>
            <translation>انتخاب عکس…</translation>
        </message>
        <message>
            <source>Completion photo</source>
            <translation>عکس پایان کار</translation>
        </message>
        <message>
            <source>Internal</source>
            <translation>داخلی</translation>
        </message>
        <message>
            <source>Never shown to the citizen or published</source>
            <translation>هرگز به شهروند نشان داده یا منتشر نمی‌شود</translation>
        </message>
        <message>
            <source>Optional: a photo of the finished work shows the job was done.</source>
            <translation>اختیاری: عکس کار انجام‌شده نشان می‌دهد که کار انجام شده است.</translation>
        </message>
        <message>
            <source>Photo of the finished work</source>
            <translation>عکس کار انجام‌شده</translation>
        </message>
        <message>
            <source>Photos (%1)</source>
            <translation>عکس‌ها (%1)</translation>
        </message>
        <message>
            <source>This category needs a photo of the finished work to close the request as done. Choose the photo here with “Choose photo…”, then press “Mark done” again.</source>
            <translation>برای بستن درخواست‌های این موضوع به‌عنوان «انجام شد»، عکس کار انجام‌شده لازم است. عکس را همین‌جا با «انتخاب عکس…» برگزینید و دوباره «انجام شد» را بزنید.</translation>
        </message>
        <message>
            <source>This category needs a photo of the finished work to close the request as done: choose one here.</source>
            <translation>برای بستن درخواست‌های این موضوع به‌عنوان «انجام شد»، عکس کار انجام‌شده لازم است: همین‌جا عکسی برگزینید.</translation>
        </message>
    </context>
    <context>
        <name>PhotoStrip</name>
        <message>
            <source>Only photos and PDF files can be attached.</source>
            <translation>فقط عکس و پروندهٔ PDF را می‌توان پیوست کرد.</translation>
        </message>
        <message>
            <source>The file is larger than %1 MB; choose a smaller one.</source>
            <translation>این پرونده از %1 مگابایت بزرگ‌تر است؛ پروندهٔ کوچک‌تری انتخاب کنید.</translation>
        </message>
        <message>
            <source>This photo is already attached, as “%1”.</source>
            <translation>این عکس پیش‌تر با نام «%1» پیوست شده است.</translation>
        </message>
        <message>
            <source>This photo is no longer attached; someone may have removed it.</source>
            <translation>این عکس دیگر پیوست درخواست نیست؛ شاید کسی آن را حذف کرده باشد.</translation>
        </message>
        <message>
            <source>The file could not be read.</source>
            <translation>پرونده خوانده نشد.</translation>
        </message>
        <message>
            <source>Add photo…</source>
            <translation>افزودن عکس…</translation>
        </message>
        <message>
            <source>View</source>
            <translation>نمایش</translation>
        </message>
        <message>
            <source>Save a copy…</source>
            <translation>ذخیرهٔ رونوشت…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>حذف</translation>
        </message>
        <message>
            <source>Kept at this office; not sent to the centre.</source>
            <translation>فقط در همین دفتر نگه داشته می‌شود و به مرکز فرستاده نمی‌شود.</translation>
        </message>
        <message>
            <source>No photos yet. Add one, or drop photo files here.</source>
            <translation>هنوز عکسی پیوست نشده است. عکسی بیفزایید یا پرونده‌ها را اینجا رها کنید.</translation>
        </message>
        <message>
            <source>Attach photos</source>
            <translation>پیوست کردن عکس</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <translation>%1: %2</translation>
        </message>
        <message>
            <source>Save a copy</source>
            <translation>ذخیرهٔ رونوشت</translation>
        </message>
        <message>
            <source>The copy could not be saved: %1</source>
            <translation>رونوشت ذخیره نشد: %1</translation>
        </message>
        <message>
            <source>Remove the photo</source>
            <translation>حذف عکس</translation>
        </message>
        <message>
            <source>Remove “%1” from this request? The office keeps no other copy.</source>
            <translation>«%1» از این درخواست حذف شود؟ دفتر رونوشت دیگری از آن ندارد.</translation>
        </message>
        <message>
            <source>Photos and PDF files (%1)</source>
            <translation>عکس‌ها و پرونده‌های PDF (%1)</translation>
        </message>
        <message>
            <source>%1 — added by %2 on %3 (%4)</source>
            <translation>%1 — افزودهٔ %2 در %3 (%4)</translation>
        </message>
        <message>
            <source>Goes to the centre with the sync; an internal photo is never public.</source>
            <translation>با همگام‌سازی به مرکز می‌رود؛ عکس داخلی عمومی نمی‌شود.</translation>
        </message>
        <message>
            <source>%1 · internal</source>
            <translation>%1 · داخلی</translation>
        </message>
        <message>
            <source>After work</source>
            <translation>پس از کار</translation>
        </message>
        <message>
            <source>Before work</source>
            <translation>پیش از کار</translation>
        </message>
        <message>
            <source>Citizen's photo</source>
            <translation>عکس شهروند</translation>
        </message>
        <message>
            <source>Internal</source>
            <translation>داخلی</translation>
        </message>
        <message>
            <source>Internal (never public)</source>
            <translation>داخلی (هرگز عمومی نمی‌شود)</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>نوع</translation>
        </message>
        <message>
            <source>Never shown to the citizen or published</source>
            <translation>هرگز به شهروند نشان داده یا منتشر نمی‌شود</translation>
        </message>
        <message>
            <source>No program on this computer opens “%1”; save a copy and open it elsewhere.</source>
            <translation>هیچ برنامه‌ای در این رایانه «%1» را باز نمی‌کند؛ نسخه‌ای ذخیره کنید و جای دیگری بازش کنید.</translation>
        </message>
        <message>
            <source>The file could not be opened: %1</source>
            <translation>پرونده باز نشد: %1</translation>
        </message>
        <message>
            <source>“%1” has not arrived from the centre yet; it comes with the next sync.</source>
            <translation>«%1» هنوز از مرکز نرسیده است؛ با همگام‌سازی بعدی می‌رسد.</translation>
        </message>
        <message>
            <source>What the photos you add show</source>
            <translation>عکس‌هایی که می‌افزایید چه چیزی را نشان می‌دهند</translation>
        </message>
    </context>
    <context>
        <name>PhotoViewer</name>
        <message>
            <source>Save a copy…</source>
            <translation>ذخیرهٔ رونوشت…</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
    </context>
    <context>
        <name>ReportsPage</name>
        <message>
            <source>Month</source>
            <translation>ماه</translation>
        </message>
        <message>
            <source>Season</source>
            <translation>فصل</translation>
        </message>
        <message>
            <source>Half-year</source>
            <translation>نیم‌سال</translation>
        </message>
        <message>
            <source>Year</source>
            <translation>سال</translation>
        </message>
        <message>
            <source>Days from … to …</source>
            <translation>از روز … تا روز …</translation>
        </message>
        <message>
            <source>Spring</source>
            <translation>بهار</translation>
        </message>
        <message>
            <source>Summer</source>
            <translation>تابستان</translation>
        </message>
        <message>
            <source>Autumn</source>
            <translation>پاییز</translation>
        </message>
        <message>
            <source>Winter</source>
            <translation>زمستان</translation>
        </message>
        <message>
            <source>First half (Farvardin–Shahrivar)</source>
            <translation>نیمهٔ نخست (فروردین تا شهریور)</translation>
        </message>
        <message>
            <source>Second half (Mehr–Esfand)</source>
            <translation>نیمهٔ دوم (مهر تا اسفند)</translation>
        </message>
        <message>
            <source>Region</source>
            <translation>منطقه</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Neighbourhood</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>روش تماس</translation>
        </message>
        <message>
            <source>Crew</source>
            <translation>اکیپ</translation>
        </message>
        <message>
            <source>Period</source>
            <translation>دوره</translation>
        </message>
        <message>
            <source>Group by</source>
            <translation>دسته‌بندی بر پایهٔ</translation>
        </message>
        <message>
            <source>from</source>
            <translation>از</translation>
        </message>
        <message>
            <source>to</source>
            <translation>تا</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>نمایش</translation>
        </message>
        <message>
            <source>Save…</source>
            <translation>ذخیره…</translation>
        </message>
        <message>
            <source>Print</source>
            <translation>چاپ</translation>
        </message>
        <message>
            <source>The last day is before the first.</source>
            <translation>روز پایان پیش از روز آغاز است.</translation>
        </message>
        <message>
            <source>%1 to %2, both days included</source>
            <translation>از %1 تا %2، هر دو روز در شمار</translation>
        </message>
        <message>
            <source>Working…</source>
            <translation>در حال کار…</translation>
        </message>
        <message>
            <source>Saved: %1</source>
            <translation>ذخیره شد: %1</translation>
        </message>
        <message>
            <source>Requests received from %1 to %2, by %3</source>
            <translation>درخواست‌های دریافتی از %1 تا %2، به تفکیک %3</translation>
        </message>
        <message>
            <source>Save the report</source>
            <translation>ذخیرهٔ گزارش</translation>
        </message>
        <message>
            <source>PDF for printing (*.pdf)</source>
            <translation>PDF برای چاپ (*.pdf)</translation>
        </message>
        <message>
            <source>CSV table (*.csv)</source>
            <translation>جدول CSV (*.csv)</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx)</source>
            <translation>کارپوشهٔ اکسل (*.xlsx)</translation>
        </message>
    </context>
    <context>
        <name>RequestForm</name>
        <message>
            <source>Received</source>
            <translation>زمان دریافت</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Neighbourhood</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>نشانی</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>شرح</translation>
        </message>
        <message>
            <source>Citizen</source>
            <translation>شهروند</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>تلفن</translation>
        </message>
        <message>
            <source>Location</source>
            <translation>موقعیت</translation>
        </message>
        <message>
            <source>Crew</source>
            <translation>اکیپ</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>زمان بستن</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>دلیل</translation>
        </message>
        <message>
            <source>Duplicate of</source>
            <translation>تکراریِ</translation>
        </message>
        <message>
            <source>Outcome note</source>
            <translation>توضیح نتیجه</translation>
        </message>
        <message>
            <source>Request</source>
            <translation>درخواست</translation>
        </message>
        <message>
            <source>History</source>
            <translation>سابقه</translation>
        </message>
        <message>
            <source>Write a note for the request's history…</source>
            <translation>یادداشتی برای سابقهٔ درخواست بنویسید…</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>افزودن یادداشت</translation>
        </message>
        <message>
            <source>Start work</source>
            <translation>شروع کار</translation>
        </message>
        <message>
            <source>Done…</source>
            <translation>انجام شد…</translation>
        </message>
        <message>
            <source>Not actionable…</source>
            <translation>قابل انجام نیست…</translation>
        </message>
        <message>
            <source>Print work order</source>
            <translation>چاپ دستور کار</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
        <message>
            <source>Request %1</source>
            <translation>درخواست %1</translation>
        </message>
        <message>
            <source>Changes waiting to be sent to the centre: %1</source>
            <translation>تغییرهای در انتظار ارسال به مرکز: %1</translation>
        </message>
        <message>
            <source>%1, by %2</source>
            <translation>%1، از راه %2</translation>
        </message>
        <message>
            <source>%1 (%2)</source>
            <translation>%1 (%2)</translation>
        </message>
        <message>
            <source>%1, %2</source>
            <translation>%1، %2</translation>
        </message>
        <message>
            <source>%1 (supervisor: %2)</source>
            <translation>%1 (سرپرست: %2)</translation>
        </message>
        <message>
            <source>%1, since %2</source>
            <translation>%1، از %2</translation>
        </message>
        <message>
            <source>not assigned</source>
            <translation>واگذار نشده</translation>
        </message>
        <message>
            <source>Assign to a crew…</source>
            <translation>واگذاری به اکیپ…</translation>
        </message>
        <message>
            <source>Change crew…</source>
            <translation>تغییر اکیپ…</translation>
        </message>
        <message>
            <source>Take back from the crew…</source>
            <translation>پس گرفتن از اکیپ…</translation>
        </message>
        <message>
            <source>Reopen…</source>
            <translation>بازگشایی…</translation>
        </message>
        <message>
            <source>waiting to be sent</source>
            <translation>در انتظار ارسال</translation>
        </message>
        <message>
            <source>When</source>
            <translation>زمان</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>چه کسی</translation>
        </message>
        <message>
            <source>What</source>
            <translation>چه شد</translation>
        </message>
        <message>
            <source>Registered as “%1”</source>
            <translation>ثبت شد با وضعیت «%1»</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>ثبت شد</translation>
        </message>
        <message>
            <source>Status changed from “%1” to “%2”</source>
            <translation>وضعیت از «%1» به «%2» تغییر کرد</translation>
        </message>
        <message>
            <source>Reason: %1</source>
            <translation>دلیل: %1</translation>
        </message>
        <message>
            <source>Duplicate of request %1</source>
            <translation>تکراریِ درخواست %1</translation>
        </message>
        <message>
            <source>Crew changed from “%1” to “%2”</source>
            <translation>اکیپ از «%1» به «%2» تغییر کرد</translation>
        </message>
        <message>
            <source>Assigned to crew “%1”</source>
            <translation>به اکیپ «%1» واگذار شد</translation>
        </message>
        <message>
            <source>Corrected: %1</source>
            <translation>اصلاح شد: %1</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>یادداشت</translation>
        </message>
        <message>
            <source>Work order printed</source>
            <translation>دستور کار چاپ شد</translation>
        </message>
        <message>
            <source>Moved to another district by the centre</source>
            <translation>مرکز آن را به ناحیهٔ دیگری فرستاد</translation>
        </message>
        <message>
            <source>A sync problem was settled</source>
            <translation>یک مشکل همگام‌سازی حل شد</translation>
        </message>
        <message>
            <source>Photos</source>
            <translation>عکس‌ها</translation>
        </message>
        <message>
            <source>Correct…</source>
            <translation>اصلاح…</translation>
        </message>
        <message>
            <source>kept at this office</source>
            <translation>فقط در این دفتر</translation>
        </message>
        <message>
            <source>Attached “%1”</source>
            <translation>«%1» پیوست شد</translation>
        </message>
        <message>
            <source>Removed the attachment “%1”</source>
            <translation>پیوست «%1» حذف شد</translation>
        </message>
        <message>
            <source>Came by: %1</source>
            <translation>راه ثبت: %1</translation>
        </message>
        <message>
            <source>SMS sent to the citizen</source>
            <translation>پیامک به شهروند فرستاده شد</translation>
        </message>
        <message>
            <source>SMS from the citizen</source>
            <translation>پیامک از شهروند</translation>
        </message>
        <message>
            <source>The citizen's satisfaction: %1 of 5</source>
            <translation>رضایت شهروند: %1 از ۵</translation>
        </message>
        <message>
            <source>Attached “%1” (%2)</source>
            <translation>«%1» پیوست شد (%2)</translation>
        </message>
        <message>
            <source>internal</source>
            <translation>داخلی</translation>
        </message>
        <message>
            <source>not internal</source>
            <translation>غیرداخلی</translation>
        </message>
        <message>
            <source>“%1” is now: %2</source>
            <translation>«%1» اکنون: %2</translation>
        </message>
    </context>
    <context>
        <name>SummaryModel</name>
        <message>
            <source>Group</source>
            <translation>گروه</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>دریافتی</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>انجام شده</translation>
        </message>
        <message>
            <source>Not actionable</source>
            <translation>قابل انجام نیست</translation>
        </message>
        <message>
            <source>In progress</source>
            <translation>در دست اقدام</translation>
        </message>
        <message>
            <source>Done %</source>
            <translation>درصد انجام</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>دیرکرد</translation>
        </message>
        <message>
            <source>Median hours to close</source>
            <translation>میانهٔ ساعت تا بستن</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>جمع</translation>
        </message>
        <message>
            <source>No crew</source>
            <translation>بدون اکیپ</translation>
        </message>
        <message>
            <source>No neighbourhood</source>
            <translation>بدون محله</translation>
        </message>
    </context>
    <context>
        <name>SyncProblemsDialog</name>
        <message>
            <source>Sync problems</source>
            <translation>مشکلات همگام‌سازی</translation>
        </message>
        <message>
            <source>When</source>
            <translation>زمان</translation>
        </message>
        <message>
            <source>Request</source>
            <translation>درخواست</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>تغییر</translation>
        </message>
        <message>
            <source>Why</source>
            <translation>چرا</translation>
        </message>
        <message>
            <source>Apply again</source>
            <translation>دوباره اعمال کن</translation>
        </message>
        <message>
            <source>Discard…</source>
            <translation>کنار بگذار…</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
        <message>
            <source>These changes made here were not taken by the centre. Decide for each: apply it again to the centre's current copy, or discard it.</source>
            <translation>مرکز این تغییرهای دفتر را نپذیرفت. دربارهٔ هر یک تصمیم بگیرید: دوباره بر نسخهٔ کنونی مرکز اعمال شود، یا کنار گذاشته شود.</translation>
        </message>
        <message>
            <source>There are no sync problems: every change was taken.</source>
            <translation>مشکل همگام‌سازی نیست: همهٔ تغییرها پذیرفته شد.</translation>
        </message>
        <message>
            <source>Crew</source>
            <translation>اکیپ</translation>
        </message>
        <message>
            <source>User</source>
            <translation>کاربر</translation>
        </message>
        <message>
            <source>Status to “%1”</source>
            <translation>وضعیت به «%1»</translation>
        </message>
        <message>
            <source>Assign to crew “%1”</source>
            <translation>واگذاری به اکیپ «%1»</translation>
        </message>
        <message>
            <source>Note: %1</source>
            <translation>یادداشت: %1</translation>
        </message>
        <message>
            <source>Work order printed</source>
            <translation>دستور کار چاپ شد</translation>
        </message>
        <message>
            <source>New request taken by the centre</source>
            <translation>درخواست تازهٔ ثبت‌شده در مرکز</translation>
        </message>
        <message>
            <source>Referral to district %1</source>
            <translation>ارجاع به ناحیهٔ %1</translation>
        </message>
        <message>
            <source>Move to district %1: %2</source>
            <translation>انتقال به ناحیهٔ %1: %2</translation>
        </message>
        <message>
            <source>Repeat call from %1</source>
            <translation>تماس دوباره از %1</translation>
        </message>
        <message>
            <source>Correction of: %1</source>
            <translation>اصلاح: %1</translation>
        </message>
        <message>
            <source>New walk-in request</source>
            <translation>درخواست حضوری تازه</translation>
        </message>
        <message>
            <source>Crew details: %1</source>
            <translation>مشخصات اکیپ: %1</translation>
        </message>
        <message>
            <source>User “%1” (%2)</source>
            <translation>کاربر «%1» (%2)</translation>
        </message>
        <message>
            <source>The centre's copy changed after this edit was made.</source>
            <translation>نسخهٔ مرکز پس از این ویرایش تغییر کرده بود.</translation>
        </message>
        <message>
            <source>The request's status at the centre no longer allows it.</source>
            <translation>وضعیت درخواست در مرکز دیگر این کار را نمی‌پذیرد.</translation>
        </message>
        <message>
            <source>The centre does not allow this role to do it.</source>
            <translation>مرکز این کار را برای این نقش مجاز نمی‌داند.</translation>
        </message>
        <message>
            <source>The request is no longer in this office's districts.</source>
            <translation>درخواست دیگر در ناحیه‌های این دفتر نیست.</translation>
        </message>
        <message>
            <source>The centre does not know this request.</source>
            <translation>مرکز این درخواست را نمی‌شناسد.</translation>
        </message>
        <message>
            <source>The centre does not know this crew.</source>
            <translation>مرکز این اکیپ را نمی‌شناسد.</translation>
        </message>
        <message>
            <source>A reason is needed to close it as not actionable.</source>
            <translation>برای بستن با «قابل انجام نیست» دلیل لازم است.</translation>
        </message>
        <message>
            <source>The centre said:</source>
            <translation>پاسخ مرکز:</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>بخش</translation>
        </message>
        <message>
            <source>Value here</source>
            <translation>مقدار در دفتر</translation>
        </message>
        <message>
            <source>Value at the centre</source>
            <translation>مقدار در مرکز</translation>
        </message>
        <message>
            <source>Applied again; it is sent at the next sync.</source>
            <translation>دوباره اعمال شد؛ در همگام‌سازی بعدی فرستاده می‌شود.</translation>
        </message>
        <message>
            <source>Discard the change</source>
            <translation>کنار گذاشتن تغییر</translation>
        </message>
        <message>
            <source>Discard “%1” for good? The centre's copy stays as it is.</source>
            <translation>«%1» برای همیشه کنار گذاشته شود؟ نسخهٔ مرکز همان‌گونه که هست می‌ماند.</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>کنار بگذار</translation>
        </message>
        <message>
            <source>Keep it</source>
            <translation>نگه دار</translation>
        </message>
        <message>
            <source>Discarded.</source>
            <translation>کنار گذاشته شد.</translation>
        </message>
        <message>
            <source>Photo “%1”</source>
            <translation>عکس «%1»</translation>
        </message>
        <message>
            <source>Removing a photo</source>
            <translation>برداشتن یک عکس</translation>
        </message>
    </context>
    <context>
        <name>UsersDialog</name>
        <message>
            <source>Users</source>
            <translation>کاربران</translation>
        </message>
        <message>
            <source>Only a manager can manage the office's users.</source>
            <translation>تنها مدیر می‌تواند کاربران دفتر را مدیریت کند.</translation>
        </message>
        <message>
            <source>User name</source>
            <translation>نام کاربری</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>نام</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>نقش</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>فعال</translation>
        </message>
        <message>
            <source>User name *</source>
            <translation>نام کاربری *</translation>
        </message>
        <message>
            <source>Active: may sign in</source>
            <translation>فعال: می‌تواند وارد شود</translation>
        </message>
        <message>
            <source>New user</source>
            <translation>کاربر تازه</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>ذخیره</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
        <message>
            <source>Change user</source>
            <translation>ویرایش کاربر</translation>
        </message>
        <message>
            <source>Password *</source>
            <translation>گذرواژه *</translation>
        </message>
        <message>
            <source>New password</source>
            <translation>گذرواژهٔ تازه</translation>
        </message>
        <message>
            <source>At least 6 characters</source>
            <translation>دست‌کم ۶ نویسه</translation>
        </message>
        <message>
            <source>Leave empty to keep the password</source>
            <translation>برای نگه داشتن گذرواژه خالی بگذارید</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>بله</translation>
        </message>
        <message>
            <source>no</source>
            <translation>خیر</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>ذخیره شد.</translation>
        </message>
    </context>
    <context>
        <name>WalkInDialog</name>
        <message>
            <source>Walk-in request</source>
            <extracomment>The centre's own office: every district (reports then say "all regions").</extracomment>
            <translation>درخواست حضوری</translation>
        </message>
        <message>
            <source>Phone *</source>
            <translation>تلفن *</translation>
        </message>
        <message>
            <source>Citizen's name</source>
            <translation>نام شهروند</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Neighbourhood *</source>
            <translation>محله *</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>نشانی</translation>
        </message>
        <message>
            <source>Category *</source>
            <translation>موضوع *</translation>
        </message>
        <message>
            <source>What the citizen reports *</source>
            <translation>گزارش شهروند *</translation>
        </message>
        <message>
            <source>09121234567</source>
            <translation>۰۹۱۲۱۲۳۴۵۶۷</translation>
        </message>
        <message>
            <source>Street, alley, plate, landmark</source>
            <translation>خیابان، کوچه، پلاک، نشانهٔ نزدیک</translation>
        </message>
        <message>
            <source>Choose the district</source>
            <translation>ناحیه را برگزینید</translation>
        </message>
        <message>
            <source>Choose the neighbourhood</source>
            <translation>محله را برگزینید</translation>
        </message>
        <message>
            <source>Choose the category</source>
            <translation>موضوع را برگزینید</translation>
        </message>
        <message>
            <source>* required</source>
            <translation>* الزامی</translation>
        </message>
        <message>
            <source>Register</source>
            <translation>ثبت</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>The request is registered.</source>
            <translation>درخواست ثبت شد.</translation>
        </message>
        <message>
            <source>Give the citizen this tracking code:</source>
            <translation>این کد رهگیری را به شهروند بدهید:</translation>
        </message>
        <message>
            <source>Copy the code</source>
            <translation>رونوشت کد</translation>
        </message>
        <message>
            <source>Register another</source>
            <translation>ثبت درخواست دیگر</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>بستن</translation>
        </message>
        <message>
            <source>%1 in %2. Status: “%3”. It is kept at this office and sent to the centre at the next sync.</source>
            <translation>%1 در %2. وضعیت: «%3». درخواست در این دفتر نگه داشته می‌شود و در همگام‌سازی بعدی به مرکز فرستاده می‌شود.</translation>
        </message>
        <message>
            <source>Copied</source>
            <translation>رونوشت شد</translation>
        </message>
    </context>
    <context>
        <name>messages</name>
        <message>
            <source>Received</source>
            <translation>ثبت شده</translation>
        </message>
        <message>
            <source>Referred</source>
            <translation>ارجاع شده</translation>
        </message>
        <message>
            <source>Assigned</source>
            <translation>واگذار شده</translation>
        </message>
        <message>
            <source>In progress</source>
            <translation>در دست اقدام</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>انجام شده</translation>
        </message>
        <message>
            <source>Not actionable</source>
            <translation>قابل انجام نیست</translation>
        </message>
        <message>
            <source>Clerk</source>
            <translation>کارشناس</translation>
        </message>
        <message>
            <source>Crew supervisor</source>
            <translation>سرپرست اکیپ</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>مدیر</translation>
        </message>
        <message>
            <source>137 centre</source>
            <translation>مرکز ۱۳۷</translation>
        </message>
        <message>
            <source>This request is no longer in the office's database.</source>
            <translation>این درخواست دیگر در پایگاه دادهٔ دفتر نیست.</translation>
        </message>
        <message>
            <source>Your role does not allow this action.</source>
            <translation>نقش شما اجازهٔ این کار را نمی‌دهد.</translation>
        </message>
        <message>
            <source>The request's status no longer allows this action. It may have changed in the meantime; look at it again.</source>
            <translation>وضعیت درخواست دیگر اجازهٔ این کار را نمی‌دهد. شاید در این میان تغییر کرده است؛ دوباره نگاهش کنید.</translation>
        </message>
        <message>
            <source>Choose why the request cannot be done.</source>
            <translation>دلیل انجام‌نشدن درخواست را برگزینید.</translation>
        </message>
        <message>
            <source>Only a request that cannot be done takes a reason.</source>
            <translation>تنها درخواستی که قابل انجام نیست دلیل می‌گیرد.</translation>
        </message>
        <message>
            <source>That reason is not in the reference data.</source>
            <translation>این دلیل در داده‌های پایه نیست.</translation>
        </message>
        <message>
            <source>Only a duplicate links to an original request.</source>
            <translation>تنها درخواست تکراری به درخواست اصلی پیوند می‌خورد.</translation>
        </message>
        <message>
            <source>The original must be another request this office has.</source>
            <translation>درخواست اصلی باید درخواست دیگری از همین دفتر باشد.</translation>
        </message>
        <message>
            <source>That crew does not exist or is not active any more.</source>
            <translation>این اکیپ وجود ندارد یا دیگر فعال نیست.</translation>
        </message>
        <message>
            <source>A closed request cannot be given to a crew; reopen it first.</source>
            <translation>درخواست بسته‌شده را نمی‌توان به اکیپ داد؛ نخست بازگشایی‌اش کنید.</translation>
        </message>
        <message>
            <source>That field cannot be changed at the office.</source>
            <translation>این بخش را در دفتر نمی‌توان تغییر داد.</translation>
        </message>
        <message>
            <source>Some fields need fixing; see the notes beside them.</source>
            <translation>چند بخش نیاز به اصلاح دارد؛ یادداشت کنار هر یک را ببینید.</translation>
        </message>
        <message>
            <source>Wrong user name or password.</source>
            <translation>نام کاربری یا گذرواژه نادرست است.</translation>
        </message>
        <message>
            <source>The office must keep at least one active manager.</source>
            <translation>دفتر باید دست‌کم یک مدیر فعال داشته باشد.</translation>
        </message>
        <message>
            <source>There is no such user.</source>
            <translation>چنین کاربری نیست.</translation>
        </message>
        <message>
            <source>This sync problem is no longer in the office's database.</source>
            <translation>این مشکل همگام‌سازی دیگر در پایگاه دادهٔ دفتر نیست.</translation>
        </message>
        <message>
            <source>This sync problem was already settled.</source>
            <translation>این مشکل همگام‌سازی پیش‌تر حل شده است.</translation>
        </message>
        <message>
            <source>Request %1: %2</source>
            <translation>درخواست %1: %2</translation>
        </message>
        <message>
            <source>The action failed: %1</source>
            <translation>کار انجام نشد: %1</translation>
        </message>
        <message>
            <source>description</source>
            <translation>شرح</translation>
        </message>
        <message>
            <source>citizen's name</source>
            <translation>نام شهروند</translation>
        </message>
        <message>
            <source>phone</source>
            <translation>تلفن</translation>
        </message>
        <message>
            <source>address</source>
            <translation>نشانی</translation>
        </message>
        <message>
            <source>location</source>
            <translation>موقعیت</translation>
        </message>
        <message>
            <source>neighbourhood</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>category</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>, </source>
            <translation>، </translation>
        </message>
        <message>
            <source>Enter the citizen's phone number.</source>
            <translation>شمارهٔ تلفن شهروند را بنویسید.</translation>
        </message>
        <message>
            <source>Choose the neighbourhood.</source>
            <translation>محله را برگزینید.</translation>
        </message>
        <message>
            <source>This neighbourhood is not in the chosen district.</source>
            <translation>این محله در ناحیهٔ برگزیده نیست.</translation>
        </message>
        <message>
            <source>Choose the category.</source>
            <translation>موضوع را برگزینید.</translation>
        </message>
        <message>
            <source>Describe what the citizen reports.</source>
            <translation>گزارش شهروند را بنویسید.</translation>
        </message>
        <message>
            <source>Choose the district.</source>
            <translation>ناحیه را برگزینید.</translation>
        </message>
        <message>
            <source>The crew needs a name.</source>
            <translation>اکیپ باید نام داشته باشد.</translation>
        </message>
        <message>
            <source>Write the note first.</source>
            <translation>نخست یادداشت را بنویسید.</translation>
        </message>
        <message>
            <source>Choose a user name.</source>
            <translation>یک نام کاربری برگزینید.</translation>
        </message>
        <message>
            <source>This user name is taken.</source>
            <translation>این نام کاربری پیش‌تر گرفته شده است.</translation>
        </message>
        <message>
            <source>This name belongs to a built-in user; choose another.</source>
            <translation>این نام از آنِ کاربری درونی برنامه است؛ نام دیگری برگزینید.</translation>
        </message>
        <message>
            <source>The centre does not know the person who made this change as a user of this office. A manager can send the office's users again.</source>
            <translation>مرکز کسی را که این تغییر را داده است کاربر این دفتر نمی‌شناسد. مدیر دفتر می‌تواند کاربران دفتر را دوباره بفرستد.</translation>
        </message>
        <message>
            <source>The person who made this change is no longer an active user at the centre.</source>
            <translation>کسی که این تغییر را داده است دیگر در مرکز کاربر فعال نیست.</translation>
        </message>
        <message>
            <source>The password needs at least 6 characters.</source>
            <translation>گذرواژه باید دست‌کم ۶ نویسه باشد.</translation>
        </message>
        <message>
            <source>Choose clerk, crew supervisor or manager.</source>
            <translation>کارشناس، سرپرست اکیپ یا مدیر را برگزینید.</translation>
        </message>
        <message>
            <source>Latitude must be between -90 and 90.</source>
            <translation>عرض جغرافیایی باید میان ‎-۹۰ و ۹۰ باشد.</translation>
        </message>
        <message>
            <source>Longitude must be between -180 and 180.</source>
            <translation>طول جغرافیایی باید میان ‎-۱۸۰ و ۱۸۰ باشد.</translation>
        </message>
        <message>
            <source>This field is required.</source>
            <translation>پر کردن این بخش الزامی است.</translation>
        </message>
        <message>
            <source>This is too long: shorten it.</source>
            <translation>این متن بیش از اندازه بلند است: کوتاه‌ترش کنید.</translation>
        </message>
        <message>
            <source>Enter a phone number.</source>
            <translation>شمارهٔ تلفن را بنویسید.</translation>
        </message>
        <message>
            <source>A phone number has only digits, spaces, dashes and a leading +.</source>
            <translation>شمارهٔ تلفن تنها رقم، فاصله، خط تیره و یک + در آغاز دارد.</translation>
        </message>
        <message>
            <source>Wrong number of digits: a mobile has 11 (09121234567), a landline 11 with its area code or 8 without.</source>
            <translation>شمار رقم‌ها نادرست است: شمارهٔ همراه ۱۱ رقم است (۰۹۱۲۱۲۳۴۵۶۷) و تلفن ثابت با پیش‌شماره ۱۱ رقم و بی‌پیش‌شماره ۸ رقم.</translation>
        </message>
        <message>
            <source>Only Iranian numbers (+98) are accepted.</source>
            <translation>تنها شماره‌های ایران (‎+98) پذیرفته می‌شود.</translation>
        </message>
        <message>
            <source>Not an Iranian mobile (09…) or landline (0 and an area code).</source>
            <translation>این شماره نه همراه ایران (۰۹…) است نه تلفن ثابت (۰ و پیش‌شماره).</translation>
        </message>
    </context>
    <context>
        <name>print_actions</name>
        <message>
            <source>The PDF is saved, but no PDF viewer could open it:
%1</source>
            <translation>فایل PDF ذخیره شد، اما هیچ نمایشگر PDF نتوانست آن را باز کند:
%1</translation>
        </message>
        <message>
            <source>Printing</source>
            <translation>چاپ</translation>
        </message>
        <message>
            <source>Nothing was printed. %1</source>
            <translation>چیزی چاپ نشد. %1</translation>
        </message>
    </context>
    <context>
        <name>CentreRequestForm</name>
        <message>
            <source>Deadline</source>
            <translation>مهلت</translation>
        </message>
        <message>
            <source>Move to another district…</source>
            <translation>انتقال به ناحیهٔ دیگر…</translation>
        </message>
        <message>
            <source>%1 — %2 days late</source>
            <translation>%1 — %2 روز تأخیر</translation>
        </message>
    </context>
    <!-- The centre's desk (issue 15): its refusals and field problems. -->
    <context>
        <name>messages</name>
        <message>
            <source>Only the 137 centre's office makes this move.</source>
            <translation>این کار تنها در دفتر مرکز ۱۳۷ انجام می‌شود.</translation>
        </message>
        <message>
            <source>A 137 centre user cannot work at a district office.</source>
            <translation>کاربر مرکز ۱۳۷ نمی‌تواند در دفتر ناحیه کار کند.</translation>
        </message>
        <message>
            <source>The request is closed: take the call as a new request.</source>
            <translation>این درخواست بسته شده است: تماس را به‌عنوان درخواست تازه ثبت کنید.</translation>
        </message>
        <message>
            <source>Only referred work (not yet done) moves to another district.</source>
            <translation>تنها کار ارجاع‌شده‌ای که هنوز انجام نشده به ناحیهٔ دیگر منتقل می‌شود.</translation>
        </message>
        <message>
            <source>The request is already in this district.</source>
            <translation>درخواست هم‌اکنون در همین ناحیه است.</translation>
        </message>
        <message>
            <source>There is no such district.</source>
            <translation>چنین ناحیه‌ای وجود ندارد.</translation>
        </message>
        <message>
            <source>Only a received request is referred: move it to another district instead.</source>
            <translation>تنها درخواست دریافت‌شده ارجاع می‌شود: به‌جای آن، درخواست را به ناحیهٔ دیگر منتقل کنید.</translation>
        </message>
        <message>
            <source>The deadline must be after today.</source>
            <translation>مهلت باید پس از امروز باشد.</translation>
        </message>
        <message>
            <source>Choose a deadline.</source>
            <translation>مهلت را انتخاب کنید.</translation>
        </message>
        <message>
            <source>Say why the request moves: the new district reads it.</source>
            <translation>بنویسید چرا درخواست منتقل می‌شود: ناحیهٔ تازه آن را می‌خواند.</translation>
        </message>
        <message>
            <source>The centre takes phone, website and SMS requests.</source>
            <translation>مرکز درخواست‌های تلفنی، اینترنتی و پیامکی را ثبت می‌کند.</translation>
        </message>
        <message>
            <source>Its category needs a photo of the finished work to close it as done: attach one as “After work” on the request's form, then mark it done again.</source>
            <translation>برای بستن این درخواست به‌عنوان «انجام شد»، موضوع آن عکس کار انجام‌شده می‌خواهد: در برگهٔ درخواست عکسی از نوع «پس از کار» پیوست کنید و دوباره «انجام شد» را بزنید.</translation>
        </message>
    </context>
    <context>
        <name>CentreModel</name>
        <message>
            <source>Summary by group</source>
            <translation>خلاصه به تفکیک گروه</translation>
        </message>
        <message>
            <source>The centre's report: districts, speed, overdue</source>
            <translation>گزارش مرکز: نواحی، سرعت، معوق</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>گزارش</translation>
        </message>
        <message>
            <source>Requests received from %1 to %2: the districts' answer to the centre</source>
            <translation>درخواست‌های دریافت‌شده از %1 تا %2: پاسخ نواحی به مرکز</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>دریافتی</translation>
        </message>
        <message>
            <source>Repeat calls</source>
            <translation>تماس تکراری</translation>
        </message>
        <message>
            <source>Median hours to referral</source>
            <translation>میانهٔ ساعت تا ارجاع</translation>
        </message>
        <message>
            <source>Median hours from referral to close</source>
            <translation>میانهٔ ساعت از ارجاع تا بستن</translation>
        </message>
        <message>
            <source>Open with a deadline</source>
            <translation>باز با مهلت</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>معوق</translation>
        </message>
        <message>
            <source>Overdue %</source>
            <translation>درصد معوق</translation>
        </message>
        <message>
            <source>Rank by overdue</source>
            <translation>رتبهٔ معوق</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>جمع</translation>
        </message>
    </context>
    <context>
        <name>CompletionPhotosDialog</name>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>Completion photos</source>
            <translation>عکس پایان کار</translation>
        </message>
        <message>
            <source>Requests of the ticked categories can be closed as done only with a photo of the finished work (kind “After work”).</source>
            <translation>درخواست‌های موضوع‌های علامت‌خورده تنها با عکس کار انجام‌شده (از نوع «پس از کار») به‌عنوان «انجام شد» بسته می‌شوند.</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>ذخیره</translation>
        </message>
    </context>
</TS>
